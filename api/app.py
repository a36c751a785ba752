"""The intake API: thin, talks to Redis only, loads no model and opens no store, so it starts
in a fraction of a second and scales by copies behind a load balancer."""
from __future__ import annotations

import re
import uuid

import structlog
from fastapi import FastAPI

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

    app.add_middleware(RequestId)
    return app


class RequestId:
    """A request id for every request (the client's X-Request-ID if it is safe, else a new one):
    on request.state, bound into every log line, and echoed in the answer. A plain ASGI
    middleware: Starlette's @app.middleware("http") runs each request in an extra task with
    memory streams, a large share of the API's CPU at full intake load (`make bench`)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"").decode("latin-1")
        # a caller's id goes into logs and task headers: keep only a safe one
        rid = given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.clear_contextvars()


app = create_app()
