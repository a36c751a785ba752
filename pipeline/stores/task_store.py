"""Batches, stage outputs and task records in Redis, as the workers use them.

A task record is a Redis hash, not Celery's result backend: it is what get/status reads, it
survives worker restarts, and it expires after `task_ttl_days`."""
from __future__ import annotations

import json
import time
from typing import Any

import redis

from memq.errors import ErrorCode
from pipeline import keys
from pipeline.models import Batch, MemoryViews, user_scope

# How many places before its index a message can sit in its conversation's list (see previous_turn).
PREVIOUS_TURN_WINDOW = 8


def now_ms() -> int:
    return int(time.time() * 1000)


class TaskStore:
    def __init__(self, client: redis.Redis, ttl_seconds: int):
        self.redis = client
        self.ttl = ttl_seconds

    # --- inputs and stage outputs ---
    def load_batch(self, task_id: str) -> Batch | None:
        raw = self.redis.get(keys.batch(task_id))
        return Batch.model_validate_json(raw) if raw else None

    def previous_turn(self, batch: Batch) -> str:
        """The content of the conversation's last message before this batch, from its message list
        (in index order; an add undone after a lost answer leaves its indices unused, so a message
        sits at or a few places before its index). "" when there is none or it is not a turn."""
        first = batch.messages[0].message_index if batch.messages else 0
        if first == 0:
            return ""
        key = keys.conversation_messages(user_scope(batch.project, batch.user_id), batch.conversation_id)
        for raw in reversed(self.redis.lrange(key, max(0, first - 1 - PREVIOUS_TURN_WINDOW), first - 1)):
            message = json.loads(raw)
            if message.get("message_index", first) < first:
                return message["content"] if message.get("role") in ("user", "assistant") else ""
        return ""

    def save_stage_output(self, task_id: str, stage: str, payload: str) -> None:
        self.redis.set(keys.stage_output(task_id, stage), payload, ex=self.ttl)

    def load_stage_output(self, task_id: str, stage: str) -> str | None:
        raw = self.redis.get(keys.stage_output(task_id, stage))
        return raw.decode() if isinstance(raw, bytes) else raw

    # --- the task record ---
    def record(self, task_id: str) -> dict[str, Any] | None:
        raw = self.redis.hgetall(keys.task(task_id))
        if not raw:
            return None
        return {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
                for k, v in raw.items()}

    def _stages(self, task_id: str) -> dict[str, dict]:
        raw = self.redis.hget(keys.task(task_id), "stages")
        return json.loads(raw) if raw else {}

    def status_user_request(self, task_id: str) -> tuple[str | None, str | None, str | None]:
        """The task's status, user and the request id it was accepted under, in one read."""
        values = self.redis.hmget(keys.task(task_id), ["status", "user_id", "request_id"])
        return tuple(v.decode() if v else None for v in values)  # type: ignore[return-value]

    def stage_started(self, task_id: str, stage: str, attempt: int, worker: str = "") -> None:
        """`worker` is the identity of the process running it: crash recovery checks its heartbeat."""
        stages = self._stages(task_id)
        entry = stages.get(stage, {})
        entry.update({"start": entry.get("start") or now_ms(), "attempts": attempt, "status": "running",
                      "worker": worker})
        stages[stage] = entry
        self.redis.hset(keys.task(task_id), mapping={
            "status": "running", "stage": stage, "stages": json.dumps(stages), "updated_at": now_ms()})

    def stage_requeued(self, task_id: str, stage: str) -> None:
        """Crash recovery re-published this stage: count it, and restart the idle clock."""
        stages = self._stages(task_id)
        entry = stages.get(stage, {})
        entry.update({"status": "requeued", "worker": "", "recovered": entry.get("recovered", 0) + 1})
        stages[stage] = entry
        self.redis.hset(keys.task(task_id), mapping={"stages": json.dumps(stages), "updated_at": now_ms()})

    def stage_finished(self, task_id: str, stage: str, counts: dict[str, Any] | None = None,
                       tokens: dict[str, int] | None = None) -> None:
        stages = self._stages(task_id)
        entry = stages.get(stage, {})
        entry.update({"end": now_ms(), "status": "done", **({"counts": counts} if counts else {})})
        stages[stage] = entry
        mapping: dict[str, Any] = {"stages": json.dumps(stages), "updated_at": now_ms()}
        if tokens:
            mapping["tokens"] = json.dumps(tokens)
        self.redis.hset(keys.task(task_id), mapping=mapping)

    def stage_retrying(self, task_id: str, stage: str, attempt: int, reason: str) -> None:
        stages = self._stages(task_id)
        entry = stages.get(stage, {})
        entry.update({"attempts": attempt, "status": "retrying", "last_error": reason[:500]})
        stages[stage] = entry
        self.redis.hset(keys.task(task_id), mapping={"stages": json.dumps(stages), "updated_at": now_ms()})

    def complete(self, task_id: str, views: MemoryViews, outcome: str) -> None:
        """outcome tells "nothing extracted" apart from "memories written"; both are completed."""
        self.redis.hset(keys.task(task_id), mapping={
            "status": "completed", "memory_views": views.model_dump_json(), "outcome": outcome,
            "completed_at": now_ms(), "updated_at": now_ms()})
        self.redis.hdel(keys.task(task_id), "error")
        self.redis.zrem(keys.FAILED_TASKS, task_id)
        self.redis.zrem(keys.INFLIGHT, task_id)

    def fail(self, task_id: str, code: ErrorCode, message: str, stage: str) -> None:
        error = {"code": int(code), "message": message[:2000], "stage": stage}
        stages = self._stages(task_id)
        if stage in stages:
            stages[stage].update({"end": now_ms(), "status": "failed"})
        self.redis.hset(keys.task(task_id), mapping={
            "status": "failed", "error": json.dumps(error), "stages": json.dumps(stages),
            "updated_at": now_ms()})
        self.redis.zadd(keys.FAILED_TASKS, {task_id: time.time()})
        self.redis.zrem(keys.INFLIGHT, task_id)
