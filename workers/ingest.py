"""Ingest queue: `ingest.extract` then `ingest.embed`, CPU-bound, run by many processes."""
from __future__ import annotations

from celery import shared_task

from memq.errors import ErrorCode, MemqError
from pipeline.extract import Extraction
from pipeline.stages.embed import EmbeddedBatch, embed
from pipeline.stages.extract import extract
from workers import runtime
from workers.stage import run_stage


def _load_batch(task_id: str):
    batch = runtime.task_store().load_batch(task_id)
    if batch is None:
        raise MemqError(ErrorCode.MEMORY_WRITE_FAILED, "the batch is gone (expired or its user was deleted)")
    return batch


def _forward(name: str, task, task_id: str) -> None:
    headers = {"request_id": (task.request.headers or {}).get("request_id")}
    task.app.send_task(name, args=[task_id], headers=headers)


@shared_task(bind=True, name="ingest.extract", max_retries=None)
def extract_task(self, task_id: str) -> None:
    def body():
        tasks = runtime.task_store()
        saved = tasks.load_stage_output(task_id, "extract")
        if saved is None:  # a redelivery after a crash never calls the extractor (or the LLM) twice
            result = extract(_load_batch(task_id), runtime.extractor())
            tasks.save_stage_output(task_id, "extract", result.model_dump_json())
        else:
            result = Extraction.model_validate_json(saved)
        tasks.stage_finished(task_id, "extract", {"candidates": len(result.candidates)},
                             tokens={"input": result.input_tokens, "output": result.output_tokens}
                             if result.input_tokens or result.output_tokens else None)
        _forward("ingest.embed", self, task_id)
        return {"candidates": len(result.candidates), "extractor": result.extractor}

    run_stage(self, task_id, "extract", body)


@shared_task(bind=True, name="ingest.embed", max_retries=None)
def embed_task(self, task_id: str) -> None:
    def body():
        tasks = runtime.task_store()
        if tasks.load_stage_output(task_id, "embed") is None:
            extraction = Extraction.model_validate_json(tasks.load_stage_output(task_id, "extract") or "{}")
            embedded = embed(extraction.candidates, runtime.embedder())
            tasks.save_stage_output(task_id, "embed", embedded.model_dump_json())
            count = len(embedded.candidates)
        else:
            count = len(EmbeddedBatch.model_validate_json(tasks.load_stage_output(task_id, "embed")).candidates)
        tasks.stage_finished(task_id, "embed", {"vectors": count})
        _forward("store.resolve", self, task_id)
        return {"vectors": count}

    run_stage(self, task_id, "embed", body)
