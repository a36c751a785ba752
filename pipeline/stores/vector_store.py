"""The vector-store port: what the stages and queries need from Qdrant, whichever engine runs it.

Two adapters implement it: `edge_store.EdgeVectorStore` (Qdrant Edge, in process: the embedded
default) and `qdrant_store.QdrantServerStore` (qdrant-client against a server, or its local
mode). Both store one point per memory with a dense MiniLM vector and a BM25 sparse vector, and
the memory as payload. Everything but the engine calls lives once, in `PointStore`: the scope
and filter translation, payloads, lexical vectors, paging."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from typing import Any, Iterable, Protocol

from pipeline.filters import And, Contains, Eq, FilterBuilder, In, Node, Or, both, compile_filter
from pipeline.models import MemoryKind, StoredMemory
from pipeline.stores import lexical

DENSE = "dense"
SPARSE = "bm25"
# Payload fields with an index. `project` is the tenant field (Qdrant co-locates each tenant's
# points); `user_id` is the selective one every query names; the rest are what filters name.
TENANT_INDEX = "project"
# Info keys are free, so they cannot each have an index: every string or boolean info value is
# also written as one keyword "[key, value]" under INFO_KEYS, which is indexed, and equality on an
# info key is matched there. (It also sidesteps qdrant-edge-py 0.9 turning a bool into 1.)
INFO_KEYS = "_info_keys"
# A memory that ends something ("I sold the Civic") is flagged, so conflict resolution can read a
# user's endings with one filtered scan (see pipeline.stages.rivals.stored_enders): Qdrant has no
# index on "this list is not empty".
ENDS_FLAG = "_ends"
KEYWORD_INDEXES = ("user_id", "kind", "status", "agent_id", "app_id", "conversation_id", "tags", "slot", INFO_KEYS,
                   ENDS_FLAG)
NUMERIC_INDEXES = ("create_time", "update_time")
SCROLL_PAGE = 1000


@dataclass(frozen=True)
class Scope:
    """Which memories a query may see: always one project, usually one user."""

    project: str
    user_id: str | None = None
    kinds: tuple[MemoryKind, ...] = ("fact", "preference", "tool", "raw")
    include_archived: bool = False

    def node(self, where: Node | None = None) -> Node:
        """The scope as a filter tree, with the caller's filter inside it."""
        return both(Eq("project", self.project), In("kind", tuple(self.kinds)),
                    Eq("user_id", self.user_id) if self.user_id is not None else None,
                    None if self.include_archived else Eq("status", "activated"), where)


@dataclass
class Hit:
    memory: StoredMemory
    score: float


class VectorStore(Protocol):
    def upsert(self, memories: list[StoredMemory], dense: dict[str, list[float]]) -> None: ...
    def get(self, ids: Iterable[str]) -> list[StoredMemory]: ...
    def dense_vectors(self, ids: Iterable[str]) -> dict[str, list[float]]: ...
    def replace_payload(self, memories: list[StoredMemory]) -> None: ...
    def delete(self, ids: list[str]) -> None: ...
    def dense_search(self, scope: Scope, vector: list[float], limit: int, where: Node | None = None,
                     threshold: float | None = None) -> list[Hit]: ...
    def lexical_search(self, scope: Scope, text: str, limit: int, where: Node | None = None) -> list[Hit]: ...
    def scan(self, scope: Scope, where: Node | None = None, limit: int = 10_000) -> list[StoredMemory]: ...
    def count(self, scope: Scope, where: Node | None = None) -> int: ...
    def close(self) -> None: ...


@dataclass
class PointData:
    id: str
    dense: list[float]
    sparse: tuple[list[int], list[float]]
    payload: dict[str, Any]


def info_keyword(key: str, value: str | bool) -> str:
    return json.dumps([key, value], ensure_ascii=False)


def keyword_text(memory: StoredMemory) -> str:
    """What keyword search matches a memory by: its text and the end of the turn it replies to.
    A reply means what it answers: "It was Matt Patterson, he is so talented!" is found by "who
    performed at the concert" only through the question before it."""
    return f"{memory.text} {memory.reply_to}" if memory.reply_to else memory.text


def payload(memory: StoredMemory) -> dict[str, Any]:
    """The point's payload: the memory, plus the indexed info keywords (readers ignore them)."""
    data = memory.model_dump(mode="json")
    words = []
    for key, value in memory.info.items():
        for item in (value if isinstance(value, list) else [value]):
            if isinstance(item, (str, bool)):
                words.append(info_keyword(key, item))
    data[INFO_KEYS] = words
    if memory.ends:
        data[ENDS_FLAG] = ENDS_FLAG
    return data


def on_indexes(node: Node) -> Node:
    """Rewrite equality on an info key to the indexed INFO_KEYS keyword (numbers stay ranges)."""
    if isinstance(node, (And, Or)):
        return replace(node, items=tuple(on_indexes(n) for n in node.items))
    if isinstance(node, (Eq, Contains)) and node.field.startswith("info.") and isinstance(node.value, (str, bool)):
        return Eq(INFO_KEYS, info_keyword(node.field.removeprefix("info."), node.value))
    return node


def valid_ids(ids: Iterable[str]) -> list[str]:
    """Point ids are UUIDs: anything else cannot name a memory (and would make the engine raise)."""
    out = []
    for value in ids:
        try:
            out.append(str(uuid.UUID(str(value))))
        except ValueError:
            continue
    return list(dict.fromkeys(out))


class PointStore:
    """The port implemented once over a handful of engine primitives that each adapter provides."""

    filters: FilterBuilder

    # --- engine primitives (per adapter) ---
    def _write(self, points: list[PointData]) -> None: raise NotImplementedError
    def _overwrite(self, point_id: str, payload: dict) -> None: raise NotImplementedError
    def _remove(self, ids: list[str]) -> None: raise NotImplementedError
    def _retrieve(self, ids: list[str]) -> list[dict]: raise NotImplementedError
    def _retrieve_dense(self, ids: list[str]) -> list[tuple[str, list[float]]]: raise NotImplementedError
    def _nearest(self, using: str, vector: Any, flt: Any, limit: int,
                 threshold: float | None) -> list[tuple[dict, float]]: raise NotImplementedError
    def _sparse(self, indices: list[int], values: list[float]) -> Any: raise NotImplementedError
    def _page(self, flt: Any, offset: Any, limit: int) -> tuple[list[dict], Any]: raise NotImplementedError
    def _count(self, flt: Any) -> int: raise NotImplementedError
    def _flush(self) -> None: pass

    def _filter(self, scope: Scope, where: Node | None) -> Any:
        return compile_filter(on_indexes(scope.node(where)), self.filters)

    # --- writes ---
    def upsert(self, memories: list[StoredMemory], dense: dict[str, list[float]]) -> None:
        points = [PointData(m.id, dense[m.id], lexical.document_vector(keyword_text(m)), payload(m)) for m in memories]
        if points:
            self._write(points)
            self._flush()

    def replace_payload(self, memories: list[StoredMemory]) -> None:
        for memory in memories:
            self._overwrite(memory.id, payload(memory))
        if memories:
            self._flush()

    def delete(self, ids: list[str]) -> None:
        ids = valid_ids(ids)
        if ids:
            self._remove(ids)
            self._flush()

    # --- reads ---
    def get(self, ids: Iterable[str]) -> list[StoredMemory]:
        ids = valid_ids(ids)
        return [StoredMemory.model_validate(p) for p in self._retrieve(ids) if p] if ids else []

    def dense_vectors(self, ids: Iterable[str]) -> dict[str, list[float]]:
        """The stored embeddings of these memories (those that exist), by id."""
        ids = valid_ids(ids)
        return {str(point_id): vector for point_id, vector in self._retrieve_dense(ids)} if ids else {}

    def dense_search(self, scope, vector, limit, where=None, threshold=None) -> list[Hit]:
        found = self._nearest(DENSE, list(vector), self._filter(scope, where), limit, threshold)
        return [Hit(StoredMemory.model_validate(p), s) for p, s in found if p]

    def lexical_search(self, scope, text, limit, where=None) -> list[Hit]:
        indices, values = lexical.query_vector(text)
        if not indices:
            return []
        found = self._nearest(SPARSE, self._sparse(indices, values), self._filter(scope, where), limit, None)
        return [Hit(StoredMemory.model_validate(p), s) for p, s in found if p]

    def scan(self, scope, where=None, limit=10_000) -> list[StoredMemory]:
        out: list[StoredMemory] = []
        offset = None
        flt = self._filter(scope, where)
        while len(out) < limit:
            payloads, offset = self._page(flt, offset, min(SCROLL_PAGE, limit - len(out)))
            out += [StoredMemory.model_validate(p) for p in payloads if p]
            if offset is None:
                break
        return out

    def count(self, scope, where=None) -> int:
        return self._count(self._filter(scope, where))

    def close(self) -> None:
        self._flush()
