"""Crash recovery and replay.

Celery requeues a task whose prefork child dies (acks_late + reject_on_worker_lost), but a whole
worker killed with -9 leaves its message unacknowledged until the broker's visibility timeout
(long, so that slow stages are never run twice at once). The sweeper closes that gap: every few
seconds, one store worker looks at the batches still in flight and re-publishes

- a stage marked running whose worker's heartbeat has expired (the process is gone), and
- the next stage of a batch that has been idle while that stage's queue is empty (a forward
  lost between one stage's end and the next one's publish).

Stages are idempotent and a finished task ignores late duplicates (workers/stage.py), so a
re-publish can never double a memory."""
from __future__ import annotations

import json
import threading
import time

import redis
import structlog

from pipeline import keys
from pipeline.stores.task_store import TaskStore, now_ms
from workers import claims

log = structlog.get_logger("memq.recovery")

STAGES = ("extract", "embed", "resolve", "write")
# One task runs both stages of a queue, skipping what a batch has done (saved outputs, stage records).
TASK_NAMES = {"extract": "ingest.extract", "embed": "ingest.extract", "resolve": "store.resolve", "write": "store.resolve"}
QUEUES = {"extract": "ingest", "embed": "ingest", "resolve": "store", "write": "store"}
SWEEP_SECONDS = 5
IDLE_SECONDS = 30  # a batch with no stage running, untouched this long, and an empty queue: its message is lost
SWEEPER_LOCK = f"{keys.PREFIX}:sweeper"


def next_stage(stages: dict) -> str | None:
    for stage in STAGES:
        if stages.get(stage, {}).get("status") != "done":
            return stage
    return None


def sweep(client: redis.Redis, tasks: TaskStore, publish, now: float | None = None) -> list[tuple[str, str]]:
    """One pass; returns the (task_id, stage) pairs it re-published."""
    now = now or time.time()
    republished = []
    for raw_id in client.zrangebyscore(keys.INFLIGHT, 0, now - SWEEP_SECONDS):
        task_id = raw_id.decode() if isinstance(raw_id, bytes) else raw_id
        record = tasks.record(task_id)
        if record is None or record.get("status") in ("completed", "failed"):
            client.zrem(keys.INFLIGHT, task_id)
            continue
        stages = json.loads(record.get("stages") or "{}")
        stage = next_stage(stages)
        if stage is None:
            continue
        entry = stages.get(stage, {})
        if entry.get("status") in ("running", "retrying"):
            owner = entry.get("worker")
            if not owner or client.exists(keys.heartbeat(owner)):
                continue  # alive: slow is not lost
        else:
            idle = now - int(record.get("updated_at", 0)) / 1000
            if idle < IDLE_SECONDS or client.llen(QUEUES[stage]) > 0:
                continue
        tasks.stage_requeued(task_id, stage)
        publish(TASK_NAMES[stage], task_id)
        republished.append((task_id, stage))
        log.warning("recovery.republished", task_id=task_id, stage=stage, owner=entry.get("worker"))
    return republished


def start_sweeper(client: redis.Redis, tasks: TaskStore, publish) -> None:
    """Run `sweep` forever in a daemon thread; with several store workers, one sweeps at a time."""
    def loop():
        while True:
            try:
                if client.set(SWEEPER_LOCK, "1", nx=True, ex=SWEEP_SECONDS):
                    sweep(client, tasks, publish)
            except redis.exceptions.RedisError as exc:  # Redis restarting: the next pass catches up
                log.warning("recovery.sweep_failed", error=str(exc))
            time.sleep(SWEEP_SECONDS)

    threading.Thread(target=loop, name="memq-sweeper", daemon=True).start()


def retry_failed(client: redis.Redis, tasks: TaskStore, publish, task_id: str) -> str:
    """Replay a failed batch from the stage that failed; earlier stages' saved outputs are kept
    (no second LLM call). Returns the stage it restarted from."""
    record = tasks.record(task_id)
    if record is None:
        raise LookupError(f"no task {task_id}")
    if record.get("status") != "failed":
        raise ValueError(f"task {task_id} is {record.get('status')}, not failed")
    if tasks.load_batch(task_id) is None:
        raise LookupError(f"the batch of task {task_id} is gone (expired or its user was deleted)")
    error = json.loads(record.get("error") or "{}")
    stages = json.loads(record.get("stages") or "{}")
    start = error.get("stage") or next_stage(stages) or "extract"
    redo = STAGES[STAGES.index(start):]
    for stage in redo:
        stages.pop(stage, None)
    pipe = client.pipeline()
    pipe.delete(*[keys.stage_output(task_id, s) for s in redo])
    if start in ("extract", "embed"):
        claims.reset(pipe, task_id)
    pipe.hset(keys.task(task_id), mapping={"status": "queued", "stages": json.dumps(stages), "updated_at": now_ms()})
    pipe.hdel(keys.task(task_id), "error")
    pipe.zrem(keys.FAILED_TASKS, task_id)
    pipe.zadd(keys.INFLIGHT, {task_id: time.time()})
    pipe.execute()
    publish(TASK_NAMES[start], task_id)
    return start


def failed_tasks(client: redis.Redis, tasks: TaskStore, limit: int = 100) -> list[dict]:
    out = []
    for raw_id, when in client.zrevrange(keys.FAILED_TASKS, 0, limit - 1, withscores=True):
        task_id = raw_id.decode() if isinstance(raw_id, bytes) else raw_id
        record = tasks.record(task_id) or {}
        error = json.loads(record.get("error") or "{}")
        out.append({"task_id": task_id, "failed_at": when, "user_id": record.get("user_id"),
                    "project": record.get("project"), "stage": error.get("stage"), "code": error.get("code"),
                    "reason": error.get("message")})
    return out
