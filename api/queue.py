"""How the API hands work to the workers: Celery messages on the broker, and RPC calls whose
answer the store worker pushes to a reply key. The API imports no worker code: this Celery
instance only publishes."""
from __future__ import annotations

import json
import time
import uuid
from functools import lru_cache

import anyio
from celery import Celery

from api.redis_conn import client, redis_errors
from memq.errors import ErrorCode, MemqError
from memq.settings import get_settings
from pipeline import keys


@lru_cache(maxsize=1)
def publisher() -> Celery:
    settings = get_settings()
    app = Celery("memq-api", broker=settings.redis_url)
    app.conf.update(task_serializer="json", broker_connection_retry_on_startup=True,
                    broker_transport_options={"visibility_timeout": settings.visibility_timeout_seconds},
                    broker_connection_max_retries=1, task_publish_retry=False)
    return app


def _publish(name: str, queue: str, args: list, kwargs: dict | None, request_id: str | None) -> None:
    # sent_at: when it was queued, for memq_oldest_task_age_seconds (api/metrics.py).
    publisher().send_task(name, args=args, kwargs=kwargs or {}, queue=queue,
                          headers={"request_id": request_id, "sent_at": round(time.time(), 3)})


async def publish(name: str, queue: str, args: list, kwargs: dict | None = None,
                  request_id: str | None = None) -> None:
    try:
        await anyio.to_thread.run_sync(_publish, name, queue, args, kwargs, request_id)
    except Exception as exc:  # kombu wraps connection failures in several types
        raise MemqError(ErrorCode.NOT_ACCEPTED,
                        f"the queue is unreachable; nothing was written, retry later ({type(exc).__name__})") from exc


async def call(name: str, *args, request_id: str | None = None) -> dict:
    """Run a query task on the store worker and wait for its answer."""
    reply_to = uuid.uuid4().hex
    timeout = get_settings().rpc_timeout_seconds
    await publish(name, "query", [reply_to, *args], request_id=request_id)
    async with redis_errors("the store is unreachable"):
        got = await client().blpop([keys.reply(reply_to)], timeout=timeout)
    if got is None:
        raise MemqError(ErrorCode.INTERNAL, f"the store worker did not answer within {timeout:g} s; retry later",
                        headers={"Retry-After": "5"})
    reply = json.loads(got[1])
    if not reply["ok"]:
        err = reply["error"]
        raise MemqError(ErrorCode(err["code"]), err["message"])
    return reply["data"]
