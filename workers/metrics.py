"""The workers' side of the metrics (pipeline/metrics.py keeps them in Redis): what a stage run
or a query answer adds. Best effort: a Redis blip loses a metric, never a batch."""
from __future__ import annotations

import json
import time

import redis
import structlog

from pipeline import keys
from pipeline import metrics as pm
from workers import runtime

log = structlog.get_logger("memq.worker")


def _record(*calls) -> None:
    try:
        pipe = runtime.redis_client().pipeline(transaction=False)
        for fn, *args in calls:
            fn(pipe, *args)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("metrics.lost", error=type(exc).__name__)


def stage_ended(task_id: str, stage: str, status: str, seconds: float | None = None,
                counts: dict | None = None) -> None:
    """A stage run ended: done, retried or failed. A done extract adds the LLM tokens the task
    record holds; a done write completes the batch (accept-to-searchable, memories written)."""
    now = time.time()
    calls: list[tuple] = [(pm.stage_ran, stage, status, seconds, now)]
    if status == "done" and stage in ("extract", "write"):
        try:
            created_at, tokens = runtime.redis_client().hmget(keys.task(task_id), "created_at", "tokens")
        except redis.RedisError:
            created_at = tokens = None
        if stage == "extract" and tokens:
            calls.append((pm.llm_tokens, json.loads(tokens)))
        if stage == "write":
            counts = counts or {}
            calls.append((pm.memories, {op: counts.get(op, 0) for op in ("added", "updated", "archived")}))
            if created_at:
                calls.append((pm.completed, int(created_at), now))
    _record(*calls)


def query_answered(op: str, seconds: float, reply: dict) -> None:
    if op == "search":
        _record((pm.searched, seconds))
    elif op == "delete_memory" and reply.get("ok"):
        _record((pm.memories, {"deleted": int(reply["data"].get("deleted", 0))}))
