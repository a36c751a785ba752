"""The one place that runs a pipeline stage as a Celery task: it records start, end and
attempts on the task record, retries transient failures with backoff and jitter, and fails the
task at once, with its code and reason, on anything else. A failed batch is acknowledged (it
goes to the dead-letter list), so a poison batch never blocks the queue."""
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


def run_stage(task: Task, task_id: str, stage: str, body: Callable[[], dict | None],
              on_failure: Callable[[], None] | None = None) -> None:
    store = runtime.task_store()
    attempt = task.request.retries + 1
    status, user_id = store.status_and_user(task_id)  # one read of the task record
    if status in (None, "completed"):
        # A duplicate delivery (a crash recovery re-sent a stage that had finished after all), or a
        # task whose user was deleted: nothing to do, and nothing to forward.
        log.info("stage.skipped", task_id=task_id, stage=stage, status=status)
        return
    structlog.contextvars.bind_contextvars(task_id=task_id, stage=stage, user_id=user_id,
                                           request_id=(task.request.headers or {}).get("request_id"))
    started = time.perf_counter()
    store.stage_started(task_id, stage, attempt, worker_identity())
    try:
        counts = body() or {}
    except TRANSIENT as exc:
        if task.request.retries < get_settings().stage_max_retries:
            store.stage_retrying(task_id, stage, attempt, str(exc))
            log.warning("stage.retry", attempt=attempt, reason=str(exc)[:200])
            metrics.stage_ended(task_id, stage, "retried")
            raise task.retry(exc=exc, countdown=backoff(attempt))
        _fail(store, task_id, stage, STAGE_CODES[stage], f"gave up after {attempt} attempts: {exc}", on_failure)
    except MemqError as exc:
        _fail(store, task_id, stage, exc.code, exc.message, on_failure)
    except Exception as exc:  # a bug or a permanent fault: the batch fails with its reason, loudly
        log.exception("stage.error")
        _fail(store, task_id, stage, STAGE_CODES[stage], f"{type(exc).__name__}: {exc}", on_failure)
    else:
        elapsed = time.perf_counter() - started
        log.info("stage.done", duration_ms=round(elapsed * 1000, 1), attempt=attempt,
                 **{k: v for k, v in counts.items() if isinstance(v, (int, float, str))})
        metrics.stage_ended(task_id, stage, "done", elapsed, counts)
    finally:
        structlog.contextvars.clear_contextvars()


def _fail(store, task_id, stage, code, message, on_failure) -> None:
    log.error("stage.failed", code=int(code), reason=message[:300])
    store.fail(task_id, code, message, stage)
    metrics.stage_ended(task_id, stage, "failed")
    if on_failure is not None:
        on_failure()
