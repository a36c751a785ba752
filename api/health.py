"""GET /health: 200 once Redis answers, at least one ingest and one store worker beat, and the
store worker has opened the store (it only beats once warm); otherwise 503 with what is missing."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.redis_conn import REDIS_DOWN, client
from pipeline import keys

router = APIRouter()


async def workers_alive(role: str) -> int:
    return len([k async for k in client().scan_iter(match=keys.heartbeat_pattern(role), count=100)])


@router.get("/health")
async def health():
    missing, checks = [], {"api": "ok"}
    try:
        await client().ping()
        checks["redis"] = "ok"
    except REDIS_DOWN as exc:
        checks["redis"] = f"unreachable: {type(exc).__name__}"
        missing.append("redis")
    if "redis" not in missing:
        for role in ("ingest", "store"):
            alive = await workers_alive(role) + await workers_alive("all")
            checks[f"{role}_workers"] = alive
            if not alive:
                missing.append(f"{role} worker")
        checks["store"] = "ok" if checks.get("store_workers") else "not open"
    status = 200 if not missing else 503
    return JSONResponse({"status": "ok" if not missing else "starting", "missing": missing, "checks": checks},
                        status_code=status)
