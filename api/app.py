"""The intake API: thin, talks to Redis only, loads no model and opens no store, so it starts
in a fraction of a second and scales by copies behind a load balancer."""
from __future__ import annotations

import re
import uuid

import structlog
from fastapi import FastAPI, Request

from api import dashboard, errors, health, metrics, routes
from memq.logs import configure_logging
from memq.settings import get_settings

SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    app = FastAPI(title="memq", version="0.1.0",
                  description="Self-hosted memory service speaking the MemOS OpenMem v1 API.")
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(health.router)
    metrics.install(app)  # GET /metrics; counts quota refusals (wraps the MemqError handler: after errors)
    dashboard.install(app)  # GET /dashboard, its JSON and static files, the queue-depth sampler

    @app.middleware("http")
    async def request_id(request: Request, call_next):
        rid = request.headers.get("x-request-id", "")
        if not SAFE_REQUEST_ID.fullmatch(rid):  # a caller's id goes into logs and task headers: keep it tame
            rid = uuid.uuid4().hex[:16]
        request.state.request_id = rid
        structlog.contextvars.bind_contextvars(request_id=rid)
        try:
            response = await call_next(request)
        finally:
            structlog.contextvars.clear_contextvars()
        response.headers["X-Request-ID"] = rid
        return response

    return app


app = create_app()
