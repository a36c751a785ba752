"""The vector-store port: what the stages and queries need from Qdrant, whichever engine runs it.

Two adapters implement it: `edge_store.EdgeVectorStore` (Qdrant Edge, in process: the embedded
default) and `qdrant_store.QdrantServerStore` (qdrant-client against a server). Both store one
point per memory with a dense MiniLM vector and a BM25 sparse vector, and the memory as payload."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from pipeline.filters import Node
from pipeline.models import MemoryKind, StoredMemory

DENSE = "dense"
SPARSE = "bm25"
# Payload fields with an index: the tenant fields first, then everything filters name.
KEYWORD_INDEXES = ("project", "user_id", "kind", "status", "agent_id", "app_id", "conversation_id", "tags")
NUMERIC_INDEXES = ("create_time", "update_time")


@dataclass(frozen=True)
class Scope:
    """Which memories a query may see: always one project, usually one user."""

    project: str
    user_id: str | None = None
    kinds: tuple[MemoryKind, ...] = ("fact", "preference", "tool", "raw")
    include_archived: bool = False


@dataclass
class Hit:
    memory: StoredMemory
    score: float


class VectorStore(Protocol):
    def upsert(self, memories: list[StoredMemory], dense: dict[str, list[float]]) -> None: ...
    def get(self, ids: Iterable[str]) -> list[StoredMemory]: ...
    def replace_payload(self, memories: list[StoredMemory]) -> None: ...
    def delete(self, ids: list[str]) -> None: ...
    def dense_search(self, scope: Scope, vector: list[float], limit: int, where: Node | None = None,
                     threshold: float | None = None) -> list[Hit]: ...
    def lexical_search(self, scope: Scope, text: str, limit: int, where: Node | None = None) -> list[Hit]: ...
    def scan(self, scope: Scope, where: Node | None = None, limit: int = 10_000) -> list[StoredMemory]: ...
    def count(self, scope: Scope, where: Node | None = None) -> int: ...
    def close(self) -> None: ...
