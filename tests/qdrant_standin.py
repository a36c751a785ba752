"""TEST-ONLY stand-in for a Qdrant server. The product never uses it, and must never run on it:
in production MEMQ_QDRANT_URL points at a real Qdrant server or cluster.

Why it exists: the scale-out tests need several store worker processes to share one Qdrant
over HTTP, through the real qdrant-client REST code path memq runs in server mode. No Qdrant
server binary can be installed on the development machines (not on PyPI or Debian, Docker Hub
blocked), and qdrant-client's local mode (`QdrantClient(path=...)`) admits one process only.

So this is a small HTTP process that speaks the subset of Qdrant's REST API that
`pipeline/stores/qdrant_store.py` calls, and nothing else (any other route answers 404): it
parses each request body into qdrant_client.http.models, runs it on one local-mode client, and
answers in Qdrant's envelope (`{"result": ..., "status": "ok", "time": ...}`, errors as
`{"status": {"error": ...}}`) so the client parses it as it would a server's. Local mode is not
thread-safe, so requests run one at a time under one lock. It filters by scanning in Python and
ignores payload indexes: fine for tests of correctness, meaningless for performance.

    python -m tests.qdrant_standin --port 6333 --path /tmp/qdrant-standin
"""
from __future__ import annotations

import argparse
import threading
import time
from importlib.metadata import version

import uvicorn
from pydantic import BaseModel, ValidationError
from qdrant_client import QdrantClient, models
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def _jsonable(value):
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _error(status_code: int, message: str, started: float) -> JSONResponse:
    return JSONResponse({"status": {"error": message}, "time": time.perf_counter() - started},
                        status_code=status_code)


def create_app(local: QdrantClient) -> Starlette:
    lock = threading.Lock()  # local mode is not thread-safe: one request at a time

    def route(path: str, method: str, body_model: type[BaseModel] | None, operation,
              conflict_when_exists: bool = False) -> Route:
        async def endpoint(request: Request) -> JSONResponse:
            started = time.perf_counter()
            name = request.path_params.get("collection_name")
            try:
                body = body_model.model_validate(await request.json()) if body_model else None
            except (ValidationError, ValueError) as exc:
                return _error(400, f"Format error in JSON body: {exc}", started)

            def run():
                with lock:
                    return operation(name, body)

            try:
                result = await run_in_threadpool(run)
            except ValueError as exc:  # what local mode raises for a missing or existing collection
                text = str(exc)
                if "not found" in text:
                    return _error(404, f"Not found: {text}", started)
                if conflict_when_exists and "already exists" in text:
                    return _error(409, f"Wrong input: {text}", started)
                return _error(400, f"Wrong input: {text}", started)
            return JSONResponse({"result": _jsonable(result), "status": "ok",
                                 "time": time.perf_counter() - started})

        return Route(path, endpoint, methods=[method])

    def create_collection(name, body: models.CreateCollection):
        return local.create_collection(name, vectors_config=body.vectors, sparse_vectors_config=body.sparse_vectors)

    def scroll(name, body: models.ScrollRequest):
        points, next_offset = local.scroll(name, scroll_filter=body.filter, limit=body.limit or 10,
                                           order_by=body.order_by, offset=body.offset,
                                           with_payload=body.with_payload if body.with_payload is not None else True,
                                           with_vectors=body.with_vector or False)
        return models.ScrollResult(points=points, next_page_offset=next_offset)

    def query(name, body: models.QueryRequest):
        return local.query_points(name, query=body.query, using=body.using, prefetch=body.prefetch,
                                  query_filter=body.filter, search_params=body.params, limit=body.limit or 10,
                                  offset=body.offset, with_payload=body.with_payload or False,
                                  with_vectors=body.with_vector or False, score_threshold=body.score_threshold,
                                  lookup_from=body.lookup_from)

    collection = "/collections/{collection_name}"
    routes = [
        Route("/", lambda _: JSONResponse({"title": "qdrant stand-in for memq's tests (not a Qdrant server)",
                                           "version": version("qdrant-client")})),
        route(f"{collection}/exists", "GET", None,
              lambda name, _: models.CollectionExistence(exists=local.collection_exists(name))),
        route(collection, "PUT", models.CreateCollection, create_collection, conflict_when_exists=True),
        route(f"{collection}/index", "PUT", models.CreateFieldIndex,
              lambda name, body: local.create_payload_index(name, body.field_name, field_schema=body.field_schema)),
        route(f"{collection}/points", "PUT", models.PointsList,
              lambda name, body: local.upsert(name, points=body.points)),
        route(f"{collection}/points", "POST", models.PointRequest,
              lambda name, body: local.retrieve(name, body.ids, with_payload=body.with_payload or False,
                                                with_vectors=body.with_vector or False)),
        route(f"{collection}/points/payload", "PUT", models.SetPayload,
              lambda name, body: local.overwrite_payload(name, payload=body.payload,
                                                         points=body.points if body.points is not None
                                                         else body.filter)),
        route(f"{collection}/points/delete", "POST", models.PointIdsList,
              lambda name, body: local.delete(name, points_selector=body)),
        route(f"{collection}/points/scroll", "POST", models.ScrollRequest, scroll),
        route(f"{collection}/points/count", "POST", models.CountRequest,
              lambda name, body: local.count(name, count_filter=body.filter, exact=True)),
        route(f"{collection}/points/query", "POST", models.QueryRequest, query),
    ]
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True, help="the local-mode directory that holds the collections")
    args = parser.parse_args()
    local = QdrantClient(path=args.path)
    try:
        uvicorn.run(create_app(local), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    finally:
        local.close()


if __name__ == "__main__":
    main()
