"""Extractors turn a batch of messages into candidate memories. The port is `Extractor`; the
offline heuristic one is the default, the Claude one takes over when ANTHROPIC_API_KEY is set."""
from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from pipeline.models import Batch, Candidate


class Extraction(BaseModel):
    candidates: list[Candidate] = Field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    extractor: str = ""


class Extractor(Protocol):
    name: str

    def extract(self, batch: Batch) -> Extraction: ...
