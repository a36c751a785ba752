"""The one place that keeps a pipeline stage's books: it records start, end and attempts on the
task record, retries transient failures with backoff and jitter, and fails the task at once,
with its code and reason, on anything else. A failed batch is acknowledged (it goes to the
dead-letter list), so a poison batch never blocks the queue.

`run_stage` runs one stage of the task a Celery message names; `StageRun` is the same
bookkeeping for a stage that a worker runs for several batches at once (the ingest worker embeds
the batches it claimed in one model call)."""
from __future__ import annotations

import random
import time
from collections.abc import Callable

import redis
import structlog
from celery import Task

from memq.errors import ErrorCode, MemqError, TransientError
from memq.settings import get_settings
from workers import metrics, runtime
from workers.identity import worker_identity

log = structlog.get_logger("memq.worker")

STAGE_CODES = {
    "extract": ErrorCode.EXTRACTION_FAILED,
    "embed": ErrorCode.EMBEDDING_FAILED,
    "resolve": ErrorCode.MEMORY_WRITE_FAILED,
    "write": ErrorCode.MEMORY_WRITE_FAILED,
}


# Failures worth a retry: the LLM's 429/5xx/timeouts (raised as TransientError by the extractor)
# and a Redis blip. Everything else is permanent and fails the task at once.
TRANSIENT = (TransientError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: 0.5 s, 1 s, 2 s ... capped at 30 s."""
    return random.uniform(0, min(30.0, 0.5 * 2 ** (attempt - 1)))


class StageRun:
    """One attempt of one stage of one task, from its start (recorded at construction) to
    `done`, `retrying` or `failed`. Log lines inside `bound()` carry the task's ids."""

    def __init__(self, task_id: str, stage: str, attempt: int, user_id: str | None, request_id: str | None):
        self.task_id, self.stage, self.attempt = task_id, stage, attempt
        self.context = {"task_id": task_id, "stage": stage, "user_id": user_id, "request_id": request_id}
        self.started = time.perf_counter()
        runtime.task_store().stage_started(task_id, stage, attempt, worker_identity())

    def bound(self):
        return structlog.contextvars.bound_contextvars(**self.context)

    def done(self, counts: dict | None = None) -> None:
        """`counts` are logged and counted; the body has recorded stage_finished itself."""
        counts = counts or {}
        elapsed = time.perf_counter() - self.started
        with self.bound():
            log.info("stage.done", duration_ms=round(elapsed * 1000, 1), attempt=self.attempt,
                     **{k: v for k, v in counts.items() if isinstance(v, (int, float, str))})
        metrics.stage_ended(self.task_id, self.stage, "done", elapsed, counts)

    def retrying(self, exc: Exception) -> None:
        runtime.task_store().stage_retrying(self.task_id, self.stage, self.attempt, str(exc))
        with self.bound():
            log.warning("stage.retry", attempt=self.attempt, reason=str(exc)[:200])
        metrics.stage_ended(self.task_id, self.stage, "retried")

    def failed(self, exc: Exception, gave_up: bool = False) -> None:
        """The task fails with the error's code (a MemqError's own, else the stage's)."""
        if isinstance(exc, MemqError):
            code, message = exc.code, exc.message
        elif gave_up:
            code, message = STAGE_CODES[self.stage], f"gave up after {self.attempt} attempts: {exc}"
        else:
            code, message = STAGE_CODES[self.stage], f"{type(exc).__name__}: {exc}"
        with self.bound():
            if not isinstance(exc, (MemqError, *TRANSIENT)):  # a bug or a permanent fault: loudly
                log.error("stage.error", exc_info=exc)
            log.error("stage.failed", code=int(code), reason=message[:300])
        runtime.task_store().fail(self.task_id, code, message, self.stage)
        metrics.stage_ended(self.task_id, self.stage, "failed")


def run_stage(task: Task, task_id: str, stage: str, body: Callable[[], dict | None],
              on_failure: Callable[[], None] | None = None) -> None:
    """Run `body` as `stage` of the task `task`'s message names: done, retried through Celery
    (a transient error with retries left) or failed."""
    status, user_id, accepted_under = runtime.task_store().status_user_request(task_id)  # one read
    if status in (None, "completed"):
        # A duplicate delivery (a crash recovery re-sent a stage that had finished after all), or a
        # task whose user was deleted: nothing to do, and nothing to forward.
        log.info("stage.skipped", task_id=task_id, stage=stage, status=status)
        return
    # a message re-sent by crash recovery or `memq tasks retry` carries no request id: the record has it
    request_id = (task.request.headers or {}).get("request_id") or accepted_under
    run = StageRun(task_id, stage, task.request.retries + 1, user_id, request_id)
    with run.bound():
        try:
            counts = body() or {}
        except TRANSIENT as exc:
            if task.request.retries < get_settings().stage_max_retries:
                run.retrying(exc)
                raise task.retry(exc=exc, countdown=backoff(run.attempt))
            run.failed(exc, gave_up=True)
        except Exception as exc:
            run.failed(exc)
        else:
            run.done(counts)
            return
    if on_failure is not None:
        on_failure()
