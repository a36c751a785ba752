"""The operators' dashboard: GET /dashboard is a static page (api/static/dashboard.*, charts by
the vendored Chart.js, no CDN) that polls GET /dashboard/data every few seconds. The page holds
no data; the JSON endpoints are for operators only (api/operator.py), since they show every
project's failures and keys.

Queue depth over the last hour needs samples: each API process samples the queues every
SAMPLE_SECONDS into one Redis sorted set, skipping a round when another process just did."""
from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from api import metrics
from api.intake import present_status, task_status_record
from api.operator import require_operator
from api.redis_conn import REDIS_DOWN, client, redis_errors
from memq.errors import ErrorCode, MemqError
from pipeline import keys
from pipeline import metrics as pm

log = structlog.get_logger("memq.api")
STATIC_DIR = Path(__file__).parent / "static"
SAMPLE_SECONDS = 10
REFRESH_SECONDS = 2
FAILED_SHOWN = 20
HOUR = 3600
PAGE_HEADERS = {"Cache-Control": "no-cache",
                # Everything the page needs is served from here; no inline script can run.
                "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"}


async def _sample_once(now: float) -> None:
    latest = await client().zrevrange(keys.METRICS_DEPTH, 0, 0, withscores=True)
    if latest and now - latest[0][1] < SAMPLE_SECONDS / 2:
        return  # another API process sampled just now
    depths = {queue: stats["depth"] for queue, stats in (await metrics.queue_stats()).items()}
    await metrics.record(pm.depth_sample, depths, now)


async def _sample_forever() -> None:
    while True:
        try:
            await _sample_once(time.time())
        except REDIS_DOWN:
            pass  # Redis is away: the chart shows the gap
        except Exception:  # the sampler must outlive a bug in one round; say so loudly
            log.exception("dashboard.sample_failed")
        await asyncio.sleep(SAMPLE_SECONDS)


@asynccontextmanager
async def _lifespan(_app):
    sampler = asyncio.create_task(_sample_forever())
    try:
        yield
    finally:
        sampler.cancel()


router = APIRouter(lifespan=_lifespan)


@router.get("/dashboard", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(STATIC_DIR / "dashboard.html", headers=PAGE_HEADERS)


@router.get("/dashboard/data", include_in_schema=False, dependencies=[Depends(require_operator)])
async def data() -> JSONResponse:
    async with redis_errors("the metrics store is unreachable"):
        return JSONResponse(await dashboard_data(time.time()), headers={"Cache-Control": "no-store"})


@router.get("/dashboard/tasks/{task_id}", include_in_schema=False, dependencies=[Depends(require_operator)])
async def task(task_id: str) -> JSONResponse:
    """A task's status as get/status shows it (stages with start, end, attempts), any project."""
    record = await task_status_record(task_id)
    if not record:
        raise MemqError(ErrorCode.TASK_NOT_FOUND, f"no task with id {task_id}", field="task_id")
    detail = {name: record.get(name) for name in ("project", "user_id", "conversation_id", "request_id")}
    return JSONResponse({**present_status(record), **detail, "messages": int(record.get("messages", 0))})


async def dashboard_data(now: float) -> dict:
    minutes = pm.minutes_back(now, 60)
    pipe = client().pipeline(transaction=False)
    for minute in minutes:
        pipe.hgetall(keys.metrics_minute(minute))
    series = [f"stage.{stage}" for stage in pm.STAGES] + ["searchable"]
    for name in series:
        pipe.lrange(keys.metrics_samples(name), 0, -1)
    pipe.zrangebyscore(keys.METRICS_DEPTH, now - HOUR, "+inf")
    pipe.zrevrange(keys.FAILED_TASKS, 0, FAILED_SHOWN - 1, withscores=True)
    pipe.hgetall(keys.METRICS_REJECTIONS)
    replies = await pipe.execute()
    per_minute = [_decode_counts(raw) for raw in replies[:len(minutes)]]
    samples = dict(zip(series, replies[len(minutes):len(minutes) + len(series)]))
    depth_raw, failed_raw, rejections_raw = replies[len(minutes) + len(series):]
    queues = await metrics.queue_stats()
    since = now - HOUR
    return {
        "now": now, "refresh_seconds": REFRESH_SECONDS,
        "queues": queues,
        "workers": await metrics.workers(),
        "depth_history": [json.loads(m) for m in depth_raw]
        + [{"t": round(now, 1), **{q: s["depth"] for q, s in queues.items()}}],
        "throughput": [{"t": minute * 60, **{k: counts.get(k, 0) for k in _THROUGHPUT}}
                       for minute, counts in zip(minutes, per_minute)],
        "last_hour": {k: sum(c.get(k, 0) for c in per_minute) for k in _THROUGHPUT},
        "stage_latency": {stage: pm.percentiles(pm.recent(samples[f"stage.{stage}"], since))
                          for stage in pm.STAGES},
        "accept_to_searchable": pm.percentiles(pm.recent(samples["searchable"], since)),
        "failed_tasks": await _failed_tasks(failed_raw),
        "quota_rejections": await _rejections(per_minute, rejections_raw),
    }


_THROUGHPUT = ("batches", "messages", "completed", "failed", "rejected")


def _decode_counts(raw: dict) -> dict[str, int]:
    return {k.decode(): int(v) for k, v in raw.items()}


async def _failed_tasks(failed_raw: list) -> list[dict]:
    ids = [task_id.decode() for task_id, _ in failed_raw]
    pipe = client().pipeline(transaction=False)
    for task_id in ids:
        pipe.hmget(keys.task(task_id), "project", "user_id", "error")
    rows = []
    for (task_id, failed_at), (project, user_id, error) in zip(zip(ids, (s for _, s in failed_raw)),
                                                                 await pipe.execute()):
        err = json.loads(error) if error else {}
        rows.append({"task_id": task_id, "failed_at": failed_at, "project": _str(project), "user_id": _str(user_id),
                     "stage": err.get("stage"), "code": err.get("code"), "reason": err.get("message", "expired")})
    return rows


async def _rejections(per_minute: list[dict[str, int]], totals_raw: dict) -> list[dict]:
    """Refusals by key and code: last hour (from the minute counts) and since the start."""
    totals = {k.decode(): int(v) for k, v in totals_raw.items()}
    last_hour: dict[str, int] = {}
    for counts in per_minute:
        for field, count in counts.items():
            if field.startswith("rejected|"):
                pair = field.removeprefix("rejected|")
                last_hour[pair] = last_hour.get(pair, 0) + count
    pairs = sorted(set(totals) | set(last_hour), key=lambda p: (-last_hour.get(p, 0), -totals.get(p, 0), p))
    key_hashes = sorted({p.split("|")[0] for p in pairs})
    known = dict(zip(key_hashes, await client().hmget(keys.API_KEYS_INDEX, key_hashes))) if key_hashes else {}
    rows = []
    for pair in pairs:
        key_hash, code = pair.split("|")
        info = json.loads(known[key_hash]) if known.get(key_hash) else {}
        rows.append({"key_id": key_hash[:12], "prefix": info.get("prefix", "?"), "project": info.get("project"),
                     "code": int(code), "last_hour": last_hour.get(pair, 0), "total": totals.get(pair, 0)})
    return rows


def _str(value) -> str | None:
    return value.decode() if value is not None else None


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/dashboard/static", StaticFiles(directory=STATIC_DIR), name="dashboard-static")
