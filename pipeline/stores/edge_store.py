"""The embedded default: a Qdrant Edge shard in the store worker's process.

Qdrant Edge is Qdrant's own engine in process: payload indexes are used by filtered search,
which is why it is the embedded engine rather than qdrant-client's local mode (which filters in
Python: ~1.7 s at 100k points against ~0.5 ms here). A shard is owned by one process at a time,
so in the embedded default only the store worker opens it."""
from __future__ import annotations

import time
from pathlib import Path

from qdrant_edge import (
    CountRequest, Distance, EdgeConfig, EdgeShard, EdgeSparseVectorParams, EdgeVectorParams, FieldCondition,
    Filter, KeywordIndexParams, MatchAny, MatchValue, Modifier, PayloadSchemaType, Point, Query, QueryRequest,
    RangeFloat, ScrollRequest, SparseVector, UpdateOperation,
)

from pipeline.stores.vector_store import (
    DENSE, KEYWORD_INDEXES, NUMERIC_INDEXES, SPARSE, TENANT_INDEX, PointData, PointStore,
)


class EdgeFilters:
    """FilterBuilder for Qdrant Edge."""

    def eq(self, field, value):
        return FieldCondition(key=field, match=MatchValue(value))

    def one_of(self, field, values):
        return FieldCondition(key=field, match=MatchAny(values))

    def range(self, field, gt, gte, lt, lte):
        return FieldCondition(key=field, range=RangeFloat(gt=gt, gte=gte, lt=lt, lte=lte))

    def all_of(self, items):
        return Filter(must=items)

    def any_of(self, items):
        return Filter(should=items)


FLUSH_SECONDS = 5.0


class EdgeVectorStore(PointStore):
    def __init__(self, path: Path, dim: int):
        path.mkdir(parents=True, exist_ok=True)
        config = EdgeConfig(
            vectors={DENSE: EdgeVectorParams(size=dim, distance=Distance.Cosine)},
            sparse_vectors={SPARSE: EdgeSparseVectorParams(modifier=Modifier.Idf)},
        )
        fresh = not any(path.iterdir())
        self.shard = EdgeShard.create(str(path), config) if fresh else EdgeShard.load(str(path))
        if fresh:
            self.shard.update(UpdateOperation.create_field_index(TENANT_INDEX, KeywordIndexParams(is_tenant=True)))
            for field in KEYWORD_INDEXES:
                self.shard.update(UpdateOperation.create_field_index(field, PayloadSchemaType.Keyword))
            for field in NUMERIC_INDEXES:
                self.shard.update(UpdateOperation.create_field_index(field, PayloadSchemaType.Float))
        self.filters = EdgeFilters()
        self._flushed_at = time.monotonic()

    def _write(self, points: list[PointData]) -> None:
        self.shard.update(UpdateOperation.upsert_points([
            Point(p.id, {DENSE: p.dense, SPARSE: SparseVector(*p.sparse)}, p.payload) for p in points]))

    def _overwrite(self, point_id, payload) -> None:
        self.shard.update(UpdateOperation.overwrite_payload([point_id], payload))

    def _remove(self, ids) -> None:
        self.shard.update(UpdateOperation.delete_points(ids))

    def _retrieve(self, ids) -> list[dict]:
        return [r.payload for r in self.shard.retrieve(ids, with_payload=True, with_vector=False)]

    def _retrieve_dense(self, ids) -> list[tuple[str, list[float]]]:
        return [(str(r.id), r.vector[DENSE]) for r in self.shard.retrieve(ids, with_payload=False, with_vector=[DENSE])]

    def _sparse(self, indices, values):
        return SparseVector(indices, values)

    def _nearest(self, using, vector, flt, limit, threshold):
        request = QueryRequest(limit=limit, query=Query.Nearest(vector, using=using), filter=flt,
                               with_payload=True, score_threshold=threshold)
        return [(p.payload, p.score) for p in self.shard.query(request)]

    def _page(self, flt, offset, limit):
        records, offset = self.shard.scroll(ScrollRequest(offset=offset, limit=limit, filter=flt, with_payload=True))
        return [r.payload for r in records], offset

    def _count(self, flt) -> int:
        return self.shard.count(CountRequest(filter=flt, exact=True))

    def _flush(self) -> None:
        # Every update is in the shard's write-ahead log before update() returns, and a shard
        # killed with -9 before any flush reopens with all of it (checked: 500 points back). A
        # flush only writes segments, which costs most of a core if done per batch: once every
        # FLUSH_SECONDS is enough to keep the WAL replay short.
        now = time.monotonic()
        if now - self._flushed_at >= FLUSH_SECONDS:
            self.shard.flush()
            self._flushed_at = now

    def optimize(self) -> None:
        """Build the HNSW index (Edge searches exactly until then): the bench calls it after a bulk load."""
        self.shard.optimize()

    def close(self) -> None:
        self.shard.flush()
        self.shard.close()
