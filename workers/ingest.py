"""Ingest queue: `ingest.extract` runs the extract and embed stages, CPU-bound, in many processes.

One message, one Celery hop, for both stages: the task claims its batch and, with the offline
extractor, batches still waiting in the queue (workers/claims.py), extracts each, embeds all
their texts in one model call and forwards each batch to the store queue. Each batch keeps its
own stage records, retries and failure: a batch that fails never takes the others with it."""
from __future__ import annotations

import threading
import time
from functools import lru_cache

import structlog
from celery import shared_task

from memq.errors import ErrorCode, MemqError
from memq.settings import get_settings
from pipeline.extract import Extraction
from pipeline.models import Batch
from pipeline.stages.embed import EmbeddedBatch, embed_batches
from pipeline.stages.extract import extract
from workers import runtime
from workers.claims import IngestClaims
from workers.identity import worker_identity
from workers.stage import TRANSIENT, StageRun, backoff

log = structlog.get_logger("memq.worker")


def _load_batch(task_id: str) -> Batch:
    batch = runtime.task_store().load_batch(task_id)
    if batch is None:
        raise MemqError(ErrorCode.MEMORY_WRITE_FAILED, "the batch is gone (expired or its user was deleted)")
    return batch


def _forward(name: str, task, task_id: str, request_id: str | None) -> None:
    task.app.send_task(name, args=[task_id], headers={"request_id": request_id})


@lru_cache(maxsize=1)
def _claims() -> IngestClaims:
    return IngestClaims(runtime.redis_client(), worker_identity())


# Messages claimed for one model call: ~190 texts, sorted by length into model batches that pad
# little (one process embedding LoCoMo: 11.7 ms of CPU a message in calls of 128 messages, 12.4
# at 64, 13.5 at 32); a full call is about 1.5 s of one core.
CLAIM_MESSAGES = 128


def _message_budget() -> int:
    # With the offline extractor the model is the cost, and a fuller call is cheaper per text.
    # An LLM extractor's call takes seconds: batches claimed by one process would wait for each
    # other's LLM calls while the other processes idle, so there each process takes its own.
    return CLAIM_MESSAGES if runtime.extractor().name == "offline" else 0


class _Claimed:
    """A claimed batch on its way through the two stages."""

    def __init__(self, task_id: str, retries: int, request_id: str | None):
        self.task_id, self.retries = task_id, retries
        tasks = runtime.task_store()
        self.unreadable: Exception | None = None
        try:
            self.batch = tasks.load_batch(task_id)
        except TRANSIENT:
            raise
        except Exception as exc:  # a corrupt batch fails alone, in its extract stage
            self.batch, self.unreadable = None, exc
        if self.batch is not None:
            self.user_id, self.request_id = self.batch.user_id, self.batch.request_id or request_id
        else:
            _, self.user_id, accepted_under = tasks.status_user_request(task_id)
            self.request_id = request_id or accepted_under
        self.extraction: Extraction | None = None
        self.run = self.start("extract")

    def start(self, stage: str) -> StageRun:
        return StageRun(self.task_id, stage, self.retries + 1, self.user_id, self.request_id)


@shared_task(bind=True, name="ingest.extract", max_retries=None)
def ingest_task(self, task_id: str) -> None:
    claims = _claims()
    claimed = claims.claim(task_id, _message_budget(), get_settings().ingest_concurrency)
    request_id = (self.request.headers or {}).get("request_id")
    if not claimed:
        # Done, finished, or claimed by a live process that embeds it with its own batches: the
        # usual end of a message whose batch another process took.
        log.debug("ingest.skipped", task_id=task_id, request_id=request_id)
        return
    try:
        # Every claimed batch is marked running under this process before any work: if it dies,
        # the sweeper re-publishes each of them once its heartbeat expires.
        batches = [_Claimed(t, self.request.retries if t == task_id else 0, request_id if t == task_id else None)
                   for t in claimed]
        ready = [b for b in batches if _extract(self, b)]
        if ready:
            _embed_and_forward(self, ready)
    except BaseException:
        # Not a batch's own failure (those are settled one by one) but Redis failing under the
        # bookkeeping: hand back every batch this call still holds. Their own messages may be gone
        # (skipped while this process held them), so each gets a fresh one.
        for claimed_id in claimed:
            try:
                if claims.release(claimed_id):
                    _forward("ingest.extract", self, claimed_id, request_id if claimed_id == task_id else None)
            except Exception as exc:  # Redis is down: handed back once it answers again
                log.warning("ingest.handback_failed", task_id=claimed_id, error=type(exc).__name__)
                _hand_back_later(self.app, claimed_id)
        raise


# Batches this process could not hand back (Redis was down): their claims name this live process,
# so no other process takes them and the sweeper, which only recovers the claims of processes that
# are gone, leaves them. A thread hands them back once Redis answers again.
HANDBACK_RETRY_SECONDS = 2.0
_unreturned: set[str] = set()
_unreturned_lock = threading.Lock()
_handing_back = False  # whether the thread runs; set and cleared under the lock, so there is one


def _hand_back_later(app, task_id: str) -> None:
    global _handing_back
    with _unreturned_lock:
        _unreturned.add(task_id)
        start, _handing_back = not _handing_back, True
    if start:
        threading.Thread(target=_hand_back_loop, args=(app,), name="memq-handback", daemon=True).start()


def _hand_back_loop(app) -> None:
    global _handing_back
    while True:
        time.sleep(HANDBACK_RETRY_SECONDS)
        with _unreturned_lock:
            pending = sorted(_unreturned)
        for task_id in pending:
            try:
                _claims().release(task_id)
                # a fresh message whether or not the claim survived the outage: one for a batch that is
                # done, or claimed by another live process, is skipped (see ingest_task)
                app.send_task("ingest.extract", args=[task_id])
            except Exception:  # still down: the next round
                continue
            log.info("ingest.handed_back", task_id=task_id)
            with _unreturned_lock:
                _unreturned.discard(task_id)
        with _unreturned_lock:
            if not _unreturned:
                _handing_back = False
                return


def _extract(task, item: _Claimed) -> bool:
    tasks = runtime.task_store()
    with item.run.bound():
        try:
            if item.unreadable is not None:
                raise item.unreadable
            if item.batch is None:
                _load_batch(item.task_id)  # raises: the batch is gone
            saved = tasks.load_stage_output(item.task_id, "extract")
            if saved is None:  # a redelivery after a crash never calls the extractor (or the LLM) twice
                item.batch.previous_turn = tasks.previous_turn(item.batch)  # what its first message replies to
                result = extract(item.batch, runtime.extractor())
                tasks.save_stage_output(item.task_id, "extract", result.model_dump_json())
            else:
                result = Extraction.model_validate_json(saved)
            tasks.stage_finished(item.task_id, "extract", {"candidates": len(result.candidates)},
                                 tokens={"input": result.input_tokens, "output": result.output_tokens}
                                 if result.input_tokens or result.output_tokens else None)
        except Exception as exc:
            _settle(task, item, exc)
            return False
    item.extraction = result
    item.run.done({"candidates": len(result.candidates), "extractor": result.extractor})
    return True


def _embed_and_forward(task, items: list[_Claimed]) -> None:
    tasks = runtime.task_store()
    for item in items:
        item.run = item.start("embed")
    saved = {item.task_id: tasks.load_stage_output(item.task_id, "embed") for item in items}
    todo = [item for item in items if saved[item.task_id] is None]
    try:
        embedded = dict(zip((item.task_id for item in todo),
                            embed_batches([item.extraction.candidates for item in todo], runtime.embedder())))
    except Exception as exc:  # the model itself failed: every batch of the call fails with the reason
        for item in todo:
            _settle(task, item, exc)
        items = [item for item in items if saved[item.task_id] is not None]
        embedded = {}
    for item in items:
        with item.run.bound():
            try:
                if item.task_id in embedded:
                    tasks.save_stage_output(item.task_id, "embed", embedded[item.task_id].model_dump_json())
                    count = len(embedded[item.task_id].candidates)
                else:
                    count = len(EmbeddedBatch.model_validate_json(saved[item.task_id]).candidates)
                tasks.stage_finished(item.task_id, "embed", {"vectors": count})
                _forward("store.resolve", task, item.task_id, item.request_id)
                _claims().done(item.task_id)
            except Exception as exc:
                _settle(task, item, exc)
                continue
        item.run.done({"vectors": count, "batches_in_call": len(todo)})


def _settle(task, item: _Claimed, exc: Exception) -> None:
    """A stage of one claimed batch raised: retry it later through its own message (released,
    so that any process can take it) or fail it."""
    if isinstance(exc, TRANSIENT) and item.retries < get_settings().stage_max_retries:
        item.run.retrying(exc)
        _claims().release(item.task_id)
        task.app.send_task("ingest.extract", args=[item.task_id], countdown=backoff(item.run.attempt),
                           retries=item.retries + 1, headers={"request_id": item.request_id})
        return
    item.run.failed(exc, gave_up=isinstance(exc, TRANSIENT))
