"""Query queue: search/get/update/delete, answered by the store worker over the queue.

The API waits on a reply key (BLPOP) instead of Celery's result backend: one Redis round trip,
async-friendly, and the reply expires on its own if the caller gave up."""
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable

import structlog
from celery import current_task, shared_task

from memq.errors import ErrorCode, MemqError
from pipeline import keys, manage, recall
from pipeline.filters import parse_filter
from pipeline.stores.task_store import now_ms
from workers import metrics, runtime

log = structlog.get_logger("memq.query")
REPLY_TTL_SECONDS = 60


def _answer(reply_to: str, op: str, body: Callable[[], dict], user_id: str | None = None) -> None:
    # The API's request id travels in the message headers: bind it so this answer's lines join the request's.
    structlog.contextvars.bind_contextvars(op=op, user_id=user_id,
                                           request_id=(current_task.request.headers or {}).get("request_id"))
    started = time.perf_counter()
    try:
        reply = {"ok": True, "data": body()}
    except MemqError as exc:
        reply = {"ok": False, "error": exc.as_dict()}
    except Exception as exc:
        log.exception("query.error", op=op)
        reply = {"ok": False, "error": {"code": int(ErrorCode.INTERNAL), "message": f"{type(exc).__name__}: {exc}"}}
    client = runtime.redis_client()
    pipe = client.pipeline()
    pipe.lpush(keys.reply(reply_to), json.dumps(reply))
    pipe.expire(keys.reply(reply_to), REPLY_TTL_SECONDS)
    pipe.execute()
    elapsed = time.perf_counter() - started
    log.info("query.done", ok=reply["ok"], duration_ms=round(elapsed * 1000, 2))
    metrics.query_answered(op, elapsed, reply)  # search duration, memories deleted
    structlog.contextvars.clear_contextvars()


@shared_task(name="query.search", acks_late=False)
def search_task(reply_to: str, project: str, request: dict) -> None:
    def body():
        return recall.search(search_request(project, request), runtime.vector_store(), runtime.embedder(),
                             runtime.graph_store())
    _answer(reply_to, "search", body, request.get("user_id"))


def search_request(project: str, request: dict) -> recall.SearchRequest:
    """The search the API sent. A key this worker does not know is left out, with a warning: in a
    rolling deploy the API may be upgraded before its workers and send a field they lack, and every
    search would fail until the last worker was replaced."""
    known = {f.name for f in dataclasses.fields(recall.SearchRequest)} - {"project", "where"}
    unknown = sorted(set(request) - known - {"filter"})
    if unknown:
        log.warning("query.unknown_fields", fields=unknown)
    return recall.SearchRequest(project=project, where=parse_filter(request.get("filter")),
                                **{key: value for key, value in request.items() if key in known})


@shared_task(name="query.get_memories", acks_late=False)
def get_memories_task(reply_to: str, project: str, request: dict) -> None:
    def body():
        return manage.list_memories(runtime.vector_store(), project, request["user_id"],
                                    parse_filter(request.get("filter")), request["page"], request["size"],
                                    request["include_preference"], request["include_tool_memory"])
    _answer(reply_to, "get_memories", body, request.get("user_id"))


@shared_task(name="query.get_memory", acks_late=False)
def get_memory_task(reply_to: str, project: str, memory_id: str) -> None:
    _answer(reply_to, "get_memory", lambda: manage.get_memory(runtime.vector_store(), project, memory_id))


@shared_task(name="query.update_memory")
def update_memory_task(reply_to: str, project: str, request: dict) -> None:
    _answer(reply_to, "update_memory", lambda: manage.update_memory(
        runtime.vector_store(), runtime.embedder(), project, request["memory_id"], request.get("content"),
        request.get("status"), now_ms()))


@shared_task(name="query.delete_memory")
def delete_memory_task(reply_to: str, project: str, request: dict) -> None:
    def body():
        where = parse_filter(request.get("filter")) if request.get("filter") is not None else None
        return manage.delete_memories(runtime.vector_store(), runtime.graph_store(), runtime.redis_client(),
                                      project, memory_ids=request.get("memory_ids"),
                                      user_id=request.get("user_id"), agent_id=request.get("agent_id"),
                                      where=where)
    _answer(reply_to, "delete_memory", body)
