"""Store queue: `store.resolve` runs the resolve and write stages of a batch, one Celery hop, under
the user's lock, so that no other batch of the same user can resolve against a state that a
pending write is about to change. A retry or a redelivery after resolve finished goes straight to
write, which applies the saved plan."""
from __future__ import annotations

import json

from celery import shared_task

from memq.settings import get_settings
from pipeline.extract import Extraction
from pipeline.models import Batch, WritePlan, user_scope
from pipeline.stages.embed import EmbeddedBatch
from pipeline.stages.write import write
from pipeline.stores.task_store import now_ms
from pipeline.stores.user_lock import UserLock
from workers import runtime
from workers.ingest import _load_batch
from workers.stage import run_stage

LOCK_WAIT_SECONDS = 0.5


def _lock() -> UserLock:
    return UserLock(runtime.redis_client(), get_settings().user_lock_lease_seconds)


def _take_lock(scope: str, task_id: str) -> bool:
    """The user's lock for this task; also from a holder that has finished, which only a process
    killed between its batch's end and letting go leaves (its lease would block the user for its
    whole length, 120 s by default)."""
    lock = _lock()
    if lock.acquire(scope, task_id):
        return True
    holder = lock.holder(scope)
    if holder and holder != task_id and runtime.task_store().status_user_request(holder)[0] in (None, "completed",
                                                                                                 "failed"):
        lock.release(scope, holder)  # only if it still holds it
        return lock.acquire(scope, task_id)
    return False


def _release(batch: Batch | None, task_id: str):
    def release():
        if batch is not None:
            _lock().release(user_scope(batch.project, batch.user_id), task_id)
    return release


def _tokens_with(plan: WritePlan, task_id: str) -> dict[str, int] | None:
    """The task's LLM tokens once the resolve call's are added to the extract call's: summed from
    the saved outputs, never onto the record, so a redelivered resolve does not count twice."""
    if not (plan.input_tokens or plan.output_tokens):
        return None
    extraction = Extraction.model_validate_json(runtime.task_store().load_stage_output(task_id, "extract") or "{}")
    return {"input": extraction.input_tokens + plan.input_tokens,
            "output": extraction.output_tokens + plan.output_tokens}


@shared_task(bind=True, name="store.resolve", max_retries=None)
def store_task(self, task_id: str) -> None:
    tasks = runtime.task_store()
    batch = tasks.load_batch(task_id)
    if batch is not None and not _take_lock(user_scope(batch.project, batch.user_id), task_id):
        # Another batch of this user is between resolve and write: wait for it without holding
        # this worker. A fresh delayed message, not self.retry(): waiting for a lock is no failed
        # attempt, and must not use up the retries that transient errors are allowed.
        self.app.send_task("store.resolve", args=[task_id], countdown=LOCK_WAIT_SECONDS,
                           headers={"request_id": (self.request.headers or {}).get("request_id")})
        return
    release = _release(batch, task_id)
    record = tasks.record(task_id) or {}
    if record.get("status") in (None, "completed"):
        # A duplicate delivery of a finished batch (or one whose user was deleted): run_stage would
        # skip it, but the user's lock just taken for it must not wait out its lease.
        release()
        return
    stages = json.loads(record.get("stages") or "{}")
    planned: list[WritePlan] = []

    def resolve_body():
        saved = tasks.load_stage_output(task_id, "resolve")
        if saved is None:
            embedded = EmbeddedBatch.model_validate_json(tasks.load_stage_output(task_id, "embed") or "{}")
            plan = runtime.resolver().resolve(_load_batch(task_id), embedded, runtime.vector_store(), now_ms())
            tasks.save_stage_output(task_id, "resolve", plan.model_dump_json())
        else:
            plan = WritePlan.model_validate_json(saved)
        counts = {"add": len(plan.add), "merge": len(plan.merge), "archive": len(plan.archive)}
        tasks.stage_finished(task_id, "resolve", counts, tokens=_tokens_with(plan, task_id))
        planned.append(plan)  # last: write runs only after a resolve that finished
        return counts

    def write_body():
        current = _load_batch(task_id)
        scope = user_scope(current.project, current.user_id)
        _lock().acquire(scope, task_id)  # renew the lease (or re-take it after a crash)
        plan = planned[0] if planned else WritePlan.model_validate_json(
            tasks.load_stage_output(task_id, "resolve") or "{}")
        views = write(current, plan, runtime.vector_store(), runtime.graph_store(), now_ms())
        tasks.stage_finished(task_id, "write", {"added": views.added, "updated": views.updated})
        outcome = "memories_written" if views.added or views.updated else (
            "nothing_new" if plan.add or plan.merge or plan.unchanged else "nothing_extracted")
        tasks.complete(task_id, views, outcome)
        _lock().release(scope, task_id)
        return {"added": views.added, "updated": views.updated, "unchanged": views.unchanged,
                "archived": len(plan.archive)}  # for memq_memories_total{op="archived"}

    if stages.get("resolve", {}).get("status") != "done":
        run_stage(self, task_id, "resolve", resolve_body, on_failure=release)
        if not planned:
            return  # skipped or failed (a retry raises)
    run_stage(self, task_id, "write", write_body, on_failure=release)
