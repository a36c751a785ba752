"""BM25 sparse vectors for the lexical half of hybrid search. Names, numbers and dates that a
sentence embedding blurs are matched exactly here. Qdrant applies the IDF part itself
(Modifier.IDF on the sparse vector), so documents carry term frequencies only."""
from __future__ import annotations

import re
from functools import lru_cache

from qdrant_edge import Bm25, Bm25Config

from memq.tokens import WIDE_CHAR

_WIDE_RUN = re.compile(f"{WIDE_CHAR.pattern}+")


@lru_cache(maxsize=1)
def _model() -> Bm25:
    # Memories are short: avg_len 24 tokens keeps length normalisation honest for them.
    return Bm25(Bm25Config(language="english", avg_len=24.0))


def document_vector(text: str) -> tuple[list[int], list[float]]:
    vec = _model().embed_document(_segmented(text))
    return list(vec.indices), list(vec.values)


def content_terms(text: str) -> set[int]:
    """The stemmed content words of a text, stop words out, as keyword search indexes them."""
    return set(document_vector(text)[0])


def query_vector(text: str) -> tuple[list[int], list[float]]:
    vec = _model().embed_query(_segmented(text))
    return list(vec.indices), list(vec.values)


def _segmented(text: str) -> str:
    """The word tokenizer keeps a run of Chinese or Japanese (no spaces between words) as one token,
    and a Korean word with its particle ("서울에"): a query naming part of it ("北京" in "我住在北京")
    would never match. Such a run is indexed as its characters and overlapping character pairs, as
    the CJK analysers of Lucene and Elasticsearch do without a dictionary: "北京" -> 北 京 北京.
    Other text is passed through as it is."""
    return _WIDE_RUN.sub(lambda run: f" {_grams(run.group())} ", text) if WIDE_CHAR.search(text) else text


def _grams(run: str) -> str:
    return " ".join(list(run) + [run[i:i + 2] for i in range(len(run) - 1)])
