"""BM25 sparse vectors for the lexical half of hybrid search. Names, numbers and dates that a
sentence embedding blurs are matched exactly here. Qdrant applies the IDF part itself
(Modifier.IDF on the sparse vector), so documents carry term frequencies only."""
from __future__ import annotations

from functools import lru_cache

from qdrant_edge import Bm25, Bm25Config


@lru_cache(maxsize=1)
def _model() -> Bm25:
    # Memories are short: avg_len 24 tokens keeps length normalisation honest for them.
    return Bm25(Bm25Config(language="english", avg_len=24.0))


def document_vector(text: str) -> tuple[list[int], list[float]]:
    vec = _model().embed_document(text)
    return list(vec.indices), list(vec.values)


def query_vector(text: str) -> tuple[list[int], list[float]]:
    vec = _model().embed_query(text)
    return list(vec.indices), list(vec.values)
