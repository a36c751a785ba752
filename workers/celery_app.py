"""The Celery application. Queues: `ingest` (extract, embed: CPU-bound, many processes),
`store` (resolve, write) and `query` (search/get/update/delete), both served by the store
worker, the one process that owns the embedded vector store.

Reliability settings: tasks are acknowledged after they finish (acks_late) and requeued if the
worker process dies mid-task, so a crash never loses a batch; every stage is idempotent, so a
redelivery never doubles one."""
from __future__ import annotations

from celery import Celery

from memq.settings import get_settings

settings = get_settings()

app = Celery("memq", broker=settings.redis_url, include=["workers.ingest", "workers.store", "workers.query"])
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,  # results live in the task records and reply keys, not a backend
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # A prefork child whose RSS passes this is replaced after its current task (the model's
    # allocator grows over long imports); the solo store worker is not affected.
    worker_max_memory_per_child=settings.worker_max_memory_mb * 1024,
    # A new prefork child loads the embedding model before it reports up: about 5 s on an idle
    # core, more under load. Celery's default allowance is 4 s, after which it kills the child with
    # -9 and forks another, which is killed in turn: ingestion stopped for good at the first
    # replacement (tests/integration/test_worker_recycle.py).
    worker_proc_alive_timeout=settings.worker_start_timeout_seconds,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": settings.visibility_timeout_seconds},
    worker_hijack_root_logger=False,
    worker_send_task_events=True,  # Flower and `celery events` see every task
    task_send_sent_event=True,
    task_routes={
        "ingest.*": {"queue": "ingest"},
        "store.*": {"queue": "store"},
        "query.*": {"queue": "query"},
    },
)

import workers.lifecycle  # noqa: E402,F401  (connects the start-up signals)
