"""Worker start-up: load what the role needs inside the process that will use it, then start
the heartbeat that /health and the dashboard read. A worker reports alive only once warm."""
from __future__ import annotations

import threading

import structlog
from celery import signals

from memq.logs import configure_logging
from memq.settings import get_settings
from pipeline import keys
from workers import recovery, runtime
from workers.identity import worker_identity

log = structlog.get_logger("memq.worker")
HEARTBEAT_SECONDS = 3
HEARTBEAT_TTL = 10


def _warm_up() -> None:
    role = get_settings().worker_role
    if role in ("ingest", "all"):
        runtime.extractor()
        runtime.embedder().embed(["warm up"])
    if role in ("store", "all"):
        runtime.vector_store()
        runtime.embedder().embed(["warm up"])
        from workers.celery_app import app
        recovery.start_sweeper(runtime.redis_client(), runtime.task_store(),
                               lambda name, task_id: app.send_task(name, args=[task_id]))
    _start_heartbeat(role)


def _start_heartbeat(role: str) -> None:
    name = worker_identity()

    def beat():
        client = runtime.redis_client()
        while True:
            try:
                client.set(keys.heartbeat(name), "1", ex=HEARTBEAT_TTL)
            except Exception as exc:  # Redis blip: the next beat retries; /health shows the gap
                log.warning("heartbeat.failed", error=str(exc))
            stop.wait(HEARTBEAT_SECONDS)

    stop = threading.Event()
    threading.Thread(target=beat, name="memq-heartbeat", daemon=True).start()
    log.info("worker.ready", role=role, worker=name)


@signals.setup_logging.connect
def _logging(**_):
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)


@signals.worker_process_init.connect
def _child_init(**_):
    _warm_up()  # prefork children: after the fork, one model per process


@signals.worker_ready.connect
def _ready(sender=None, **_):
    # The solo pool (the store worker) runs tasks in the main process: warm up there.
    if sender is not None and type(sender.pool).__name__.lower().startswith("task") is False \
            and "solo" in type(sender.pool).__module__:
        _warm_up()


@signals.worker_shutdown.connect
def _shutdown(**_):
    if runtime.vector_store.cache_info().currsize:
        runtime.vector_store().close()
