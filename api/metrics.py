"""GET /metrics in the Prometheus text format, gathered from Redis so that it is the same on
every API process and counts what every worker observed (pipeline/metrics.py keeps the series).

Queue depth, the oldest waiting task's age and the live workers are read at scrape time:
Celery's Redis transport keeps each queue as a list named after it (LPUSH in, BRPOP out, so
the oldest message is at index -1), and each warm worker keeps a heartbeat key.

Also the API's own observations, recorded best effort (a metric is never worth failing a
request): accepted batches and messages, and add/message refusals by quota or size, by key."""
from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString

from api.auth import _presented_key, hash_key
from api.health import workers_alive
from api.operator import require_operator
from api.redis_conn import REDIS_DOWN, client, redis_errors
from memq.errors import ErrorCode, MemqError
from pipeline import keys
from pipeline import metrics as pm

log = structlog.get_logger("memq.api")
router = APIRouter()

WORKER_ROLES = ("ingest", "store", "all")
# The refusals a key's owner can act on: the window quota, and the per-request size limits.
REJECTION_CODES = {ErrorCode.QUOTA_EXCEEDED, ErrorCode.REQUEST_TOKENS, ErrorCode.MESSAGES_TOO_LARGE}
# Which stage's end put a forwarded task on its queue (the workers forward with the task id only).
_PREVIOUS_STAGE = {"store.resolve": "embed"}  # ingest.extract forwards to store.resolve after embedding


async def record(fn: Callable, *args) -> None:
    """Run one pipeline.metrics recorder on a Redis pipeline; a Redis blip only loses the metric."""
    try:
        pipe = client().pipeline(transaction=False)
        fn(pipe, *args)
        await pipe.execute()
    except REDIS_DOWN as exc:
        log.warning("metrics.lost", recorder=fn.__name__, error=type(exc).__name__)


def accepted(pipe, messages: int, now: float) -> None:
    """Counted on the accept path's own MULTI/EXEC: exactly when the batch is accepted, with no
    round trip of its own (api/intake.py logs the batch.accepted line once EXEC succeeded)."""
    pm.accepted(pipe, messages, now)


def count_rejections(app: FastAPI) -> None:
    """Wrap the MemqError handler (api/errors.py) so that quota and size refusals are counted
    by code and by key wherever the route raised them."""
    original = app.exception_handlers[MemqError]

    async def handler(request: Request, exc: MemqError):
        if exc.code in REJECTION_CODES:
            presented = _presented_key(request)
            await record(pm.rejected, int(exc.code), hash_key(presented) if presented else "-", time.time())
        return await original(request, exc)

    app.exception_handlers[MemqError] = handler


# --- reading what the queues and workers look like now ---

def parse_message(raw: bytes) -> tuple[str, dict, list]:
    """A message as Celery's Redis transport stores it: (task name, headers, args)."""
    envelope = json.loads(raw)
    headers = envelope.get("headers") or {}
    body = envelope.get("body", "")
    if (envelope.get("properties") or {}).get("body_encoding") == "base64":
        body = base64.b64decode(body)
    decoded = json.loads(body) if body else [[], {}, {}]
    args = decoded[0] if isinstance(decoded, list) else decoded.get("args", [])
    return headers.get("task", ""), headers, list(args)


def waiting_since(task_name: str, headers: dict, record: dict) -> float | None:
    """When the message was put on its queue: the publisher's `sent_at` header, else (a stage
    forwarded by a worker) the end of the previous stage in the task record."""
    if headers.get("sent_at"):
        return float(headers["sent_at"])
    previous = _PREVIOUS_STAGE.get(task_name)
    if previous is None:
        return int(record["created_at"]) / 1000 if record.get("created_at") else None
    end = json.loads(record.get("stages") or "{}").get(previous, {}).get("end")
    return end / 1000 if end else None


async def _oldest_age(raw: bytes | None, now: float) -> float:
    if raw is None:
        return 0.0
    try:
        name, headers, args = parse_message(raw)
    except (ValueError, KeyError, TypeError, IndexError):
        return 0.0  # not a message this code understands: no age rather than a failed scrape
    record: dict = {}
    if not headers.get("sent_at") and args:
        found = await client().hgetall(keys.task(str(args[0])))
        record = {k.decode(): v.decode() for k, v in found.items()}
    since = waiting_since(name, headers, record)
    return round(max(0.0, now - since), 3) if since else 0.0


async def queue_stats() -> dict[str, dict]:
    pipe = client().pipeline(transaction=False)
    for queue in pm.QUEUES:
        pipe.llen(queue)
        pipe.lindex(queue, -1)
    replies = await pipe.execute()
    now = time.time()
    out = {}
    for i, queue in enumerate(pm.QUEUES):
        depth, oldest = replies[2 * i], replies[2 * i + 1]
        out[queue] = {"depth": int(depth), "oldest_age_seconds": await _oldest_age(oldest, now)}
    return out


async def workers() -> dict[str, int]:
    return {role: await workers_alive(role) for role in WORKER_ROLES}


# --- rendering ---

class Snapshot:
    """Everything one scrape renders, read from Redis before prometheus_client's (sync) collect."""

    def __init__(self, counters: dict, histograms: dict, queues: dict, alive: dict):
        self.counters, self.histograms, self.queues, self.alive = counters, histograms, queues, alive

    def collect(self):
        for metric in pm.COUNTERS:
            family = CounterMetricFamily(metric.name, metric.help, labels=metric.labels)
            for values, count in sorted(self.counters[metric.name].items()):
                family.add_metric(list(values), count)
            yield family
        for metric in pm.HISTOGRAMS:
            family = HistogramMetricFamily(metric.name, metric.help, labels=metric.labels)
            for values, hist in sorted(self.histograms[metric.name].items()):
                family.add_metric(list(values), [(floatToGoString(le), c) for le, c in hist.buckets], hist.sum)
            yield family
        yield self._gauge("memq_queue_depth", "Tasks waiting in each Celery queue", "depth")
        yield self._gauge("memq_oldest_task_age_seconds", "How long the oldest waiting task of each queue has "
                          "waited (0 when the queue is empty)", "oldest_age_seconds")
        alive = GaugeMetricFamily("memq_workers_alive", "Warm worker processes with a live heartbeat, by role",
                                  labels=("role",))
        for role, count in self.alive.items():
            alive.add_metric([role], count)
        yield alive

    def _gauge(self, name: str, help_text: str, field: str) -> GaugeMetricFamily:
        gauge = GaugeMetricFamily(name, help_text, labels=("queue",))
        for queue, stats in self.queues.items():
            gauge.add_metric([queue], stats[field])
        return gauge


async def snapshot() -> Snapshot:
    pipe = client().pipeline(transaction=False)
    pipe.hgetall(keys.METRICS_COUNTERS)
    pipe.hgetall(keys.METRICS_HISTOGRAMS)
    counters, histograms = await pipe.execute()
    return Snapshot(pm.counter_values(counters), pm.histogram_values(histograms), await queue_stats(),
                    await workers())


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require_operator)])
async def metrics() -> Response:
    registry = CollectorRegistry(auto_describe=False)
    async with redis_errors("the metrics store is unreachable"):
        registry.register(await snapshot())
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    app.include_router(router)
    count_rejections(app)
