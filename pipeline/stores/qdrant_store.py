"""Server mode: the vector store over qdrant-client, for a Qdrant server or cluster
(MEMQ_QDRANT_URL=http://qdrant:6333). Any number of store workers on any hosts share it.

`local:/some/dir` (or `path:/some/dir`) and `:memory:` open qdrant-client's local mode instead:
the same client code path without a server, which is how the tests run it. Local mode filters in
Python and ignores payload indexes, so it is a stand-in, never a production store; and, like the
embedded shard, a local directory can be opened by one process only."""
from __future__ import annotations

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

from pipeline.stores.vector_store import (
    DENSE, KEYWORD_INDEXES, NUMERIC_INDEXES, SPARSE, TENANT_INDEX, PointData, PointStore,
)

LOCAL_PREFIXES = ("local:", "path:")


class ClientFilters:
    """FilterBuilder for qdrant-client's models."""

    def eq(self, field, value):
        return models.FieldCondition(key=field, match=models.MatchValue(value=value))

    def one_of(self, field, values):
        return models.FieldCondition(key=field, match=models.MatchAny(any=values))

    def range(self, field, gt, gte, lt, lte):
        return models.FieldCondition(key=field, range=models.Range(gt=gt, gte=gte, lt=lt, lte=lte))

    def all_of(self, items):
        return models.Filter(must=items)

    def any_of(self, items):
        return models.Filter(should=items)


def open_client(url: str, api_key: str | None) -> tuple[QdrantClient, bool]:
    """The client for a URL, and whether it is local mode (no server behind it)."""
    if url == ":memory:":
        return QdrantClient(location=":memory:"), True
    for prefix in LOCAL_PREFIXES:
        if url.startswith(prefix):
            return QdrantClient(path=url[len(prefix):]), True
    return QdrantClient(url=url, api_key=api_key, timeout=30), False


class QdrantServerStore(PointStore):
    def __init__(self, url: str, api_key: str | None, collection: str, dim: int):
        self.client, self.local = open_client(url, api_key)
        self.collection = collection
        self.filters = ClientFilters()
        if not self.client.collection_exists(collection):
            self._create(dim)
        if not self.local:  # local mode has no payload indexes (it scans in Python)
            self._ensure_indexes()

    def _create(self, dim: int) -> None:
        try:
            self.client.create_collection(
                self.collection,
                vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)},
                sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            )
        except UnexpectedResponse as exc:
            if exc.status_code != 409:  # 409: another store worker created it first, which is fine
                raise

    def _ensure_indexes(self) -> None:
        """Idempotent on the server, so every store worker runs it at start: a worker that died
        between creating the collection and its indexes leaves nothing missing for long."""
        schemas = [(TENANT_INDEX, models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True))]
        schemas += [(f, models.PayloadSchemaType.KEYWORD) for f in KEYWORD_INDEXES]
        schemas += [(f, models.PayloadSchemaType.FLOAT) for f in NUMERIC_INDEXES]
        for field, schema in schemas:
            self.client.create_payload_index(self.collection, field, field_schema=schema, wait=True)

    def _write(self, points: list[PointData]) -> None:
        self.client.upsert(self.collection, wait=True, points=[
            models.PointStruct(id=p.id, payload=p.payload, vector={
                DENSE: p.dense, SPARSE: models.SparseVector(indices=p.sparse[0], values=p.sparse[1])})
            for p in points])

    def _overwrite(self, point_id, payload) -> None:
        self.client.overwrite_payload(self.collection, payload=payload, points=[point_id], wait=True)

    def _remove(self, ids) -> None:
        self.client.delete(self.collection, points_selector=models.PointIdsList(points=ids), wait=True)

    def _retrieve(self, ids) -> list[dict]:
        return [r.payload for r in self.client.retrieve(self.collection, ids, with_payload=True)]

    def _retrieve_dense(self, ids) -> list[tuple[str, list[float]]]:
        records = self.client.retrieve(self.collection, ids, with_payload=False, with_vectors=[DENSE])
        return [(str(r.id), r.vector[DENSE]) for r in records]

    def _sparse(self, indices, values):
        return models.SparseVector(indices=indices, values=values)

    def _nearest(self, using, vector, flt, limit, threshold):
        found = self.client.query_points(self.collection, query=vector, using=using, query_filter=flt, limit=limit,
                                         with_payload=True, score_threshold=threshold)
        return [(p.payload, p.score) for p in found.points]

    def _page(self, flt, offset, limit):
        records, offset = self.client.scroll(self.collection, scroll_filter=flt, limit=limit, offset=offset,
                                             with_payload=True)
        return [r.payload for r in records], offset

    def _count(self, flt) -> int:
        return self.client.count(self.collection, count_filter=flt, exact=True).count

    def close(self) -> None:
        self.client.close()
