"""Small in-repo implementations of pipeline ports for unit tests: real behaviour, no model, no
Redis. Not mocks: they compute what the real adapters compute, more crudely."""
from __future__ import annotations

import hashlib
import math
import re



class HashEmbedder:
    """Bag of lower-cased words hashed into `dim` buckets, unit length: texts sharing words are
    close, so dense search has a real, predictable ranking to get right."""

    def __init__(self, dim: int = 384):
        self.dim = dim

    def embed(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            vec = [0.0] * self.dim
            for word in re.findall(r"[a-z0-9']+", text.lower()):
                vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = math.sqrt(sum(v * v for v in vec)) or 1.0
            out.append([v / norm for v in vec])
        return out
