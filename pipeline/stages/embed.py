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
    vectors = embedder.embed([c.text for c in candidates])
    return EmbeddedBatch(candidates=candidates, vectors=[encode_vector(v) for v in vectors])
