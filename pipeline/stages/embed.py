"""Stage 2: candidate memories -> dense vectors. Vectors travel between stages as base64
float32 (1.5 KB each) rather than JSON floats (4 KB)."""
from __future__ import annotations

import base64

import numpy as np
from pydantic import BaseModel

from pipeline.embedder import Embedder
from pipeline.models import Candidate


class EmbeddedBatch(BaseModel):
    candidates: list[Candidate]
    vectors: list[str]  # base64 float32, one per candidate

    def dense(self, i: int) -> list[float]:
        return decode_vector(self.vectors[i])


def encode_vector(vector: list[float]) -> str:
    return base64.b64encode(np.asarray(vector, dtype=np.float32).tobytes()).decode()


def decode_vector(text: str) -> list[float]:
    return np.frombuffer(base64.b64decode(text), dtype=np.float32).tolist()


def embed(candidates: list[Candidate], embedder: Embedder) -> EmbeddedBatch:
    return embed_batches([candidates], embedder)[0]


def embed_batches(batches: list[list[Candidate]], embedder: Embedder) -> list[EmbeddedBatch]:
    """The candidates of several batches in one model call (a fuller call costs less per text),
    each distinct text once (a greeting or a fact said in several batches is encoded once)."""
    texts = list(dict.fromkeys(c.text for candidates in batches for c in candidates))
    encoded = dict(zip(texts, (encode_vector(v) for v in embedder.embed(texts))))
    return [EmbeddedBatch(candidates=candidates, vectors=[encoded[c.text] for c in candidates])
            for candidates in batches]
