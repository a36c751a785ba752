"""Store queue: `store.resolve` then `store.write`, under the user's lock, which is taken by
resolve and released by write (or by a failure), so that no other batch of the same user can
resolve against a state that a pending write is about to change."""
from __future__ import annotations

from celery import shared_task

from memq.settings import get_settings
from pipeline.extract import Extraction
from pipeline.models import Batch, WritePlan, user_scope
from pipeline.stages.embed import EmbeddedBatch
from pipeline.stages.write import write
from pipeline.stores.task_store import now_ms
from pipeline.stores.user_lock import UserLock
from workers import runtime
from workers.ingest import _forward, _load_batch
from workers.stage import run_stage

LOCK_WAIT_SECONDS = 0.5


def _lock() -> UserLock:
    return UserLock(runtime.redis_client(), get_settings().user_lock_lease_seconds)


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
def resolve_task(self, task_id: str) -> None:
    tasks = runtime.task_store()
    batch = tasks.load_batch(task_id)
    if batch is not None and not _lock().acquire(user_scope(batch.project, batch.user_id), task_id):
        # Another batch of this user is between resolve and write: wait for it without holding
        # this worker. A fresh delayed message, not self.retry(): waiting for a lock is no failed
        # attempt, and must not use up the retries that transient errors are allowed.
        self.app.send_task("store.resolve", args=[task_id], countdown=LOCK_WAIT_SECONDS,
                           headers={"request_id": (self.request.headers or {}).get("request_id")})
        return

    def body():
        saved = tasks.load_stage_output(task_id, "resolve")
        if saved is None:
            embedded = EmbeddedBatch.model_validate_json(tasks.load_stage_output(task_id, "embed") or "{}")
            plan = runtime.resolver().resolve(_load_batch(task_id), embedded, runtime.vector_store(), now_ms())
            tasks.save_stage_output(task_id, "resolve", plan.model_dump_json())
        else:
            plan = WritePlan.model_validate_json(saved)
        counts = {"add": len(plan.add), "merge": len(plan.merge), "archive": len(plan.archive)}
        tasks.stage_finished(task_id, "resolve", counts, tokens=_tokens_with(plan, task_id))
        _forward("store.write", self, task_id)
        return counts

    run_stage(self, task_id, "resolve", body, on_failure=_release(batch, task_id))


@shared_task(bind=True, name="store.write", max_retries=None)
def write_task(self, task_id: str) -> None:
    tasks = runtime.task_store()
    batch = tasks.load_batch(task_id)

    def body():
        current = _load_batch(task_id)
        scope = user_scope(current.project, current.user_id)
        _lock().acquire(scope, task_id)  # renew the lease resolve took (or re-take it after a crash)
        plan = WritePlan.model_validate_json(tasks.load_stage_output(task_id, "resolve") or "{}")
        views = write(current, plan, runtime.vector_store(), runtime.graph_store(), now_ms())
        tasks.stage_finished(task_id, "write", {"added": views.added, "updated": views.updated})
        outcome = "memories_written" if views.added or views.updated else (
            "nothing_new" if plan.add or plan.merge or plan.unchanged else "nothing_extracted")
        tasks.complete(task_id, views, outcome)
        _lock().release(scope, task_id)
        return {"added": views.added, "updated": views.updated, "unchanged": views.unchanged,
                "archived": len(plan.archive)}  # for memq_memories_total{op="archived"}

    run_stage(self, task_id, "write", body, on_failure=_release(batch, task_id))
