"""Stage 1: messages -> candidate memories."""
from __future__ import annotations

from pipeline.extract import Extraction, Extractor
from pipeline.models import Batch


def extract(batch: Batch, extractor: Extractor) -> Extraction:
    extraction = extractor.extract(batch)
    # Within one batch, the same statement twice is one candidate with both sources.
    merged: dict[tuple[str, str], int] = {}
    unique = []
    for candidate in extraction.candidates:
        key = (candidate.kind, candidate.text.strip().lower())
        if key in merged:
            target = unique[merged[key]]
            target.sources += [s for s in candidate.sources if s not in target.sources]
            target.said_at = max(target.said_at, candidate.said_at)  # a repeat re-affirms it
            continue
        merged[key] = len(unique)
        unique.append(candidate)
    extraction.candidates = unique
    return extraction
