"""How the API hands work to the workers: Celery messages on the broker, and RPC calls whose
answer the store worker pushes to a reply key. The API imports no worker code: this Celery
instance only builds messages.

A message is pushed with the API's own asyncio Redis client, exactly as kombu's Redis transport
would push it (LPUSH on the list named after the queue), so the accept path can put it in the
same MULTI/EXEC as the batch it announces: one round trip, no thread hop, and no batch on the
queue without its data (or the reverse). Celery builds the protocol-v2 headers and body itself
(app.amqp.as_task_v2), so the workers consume it unchanged."""
from __future__ import annotations

import base64
import json
import time
import uuid
from functools import lru_cache

from celery import Celery
from celery.utils.nodenames import anon_nodename
from celery.utils.saferepr import saferepr
from kombu import serialization

from api.redis_conn import client, redis_errors
from memq.errors import ErrorCode, MemqError
from memq.settings import get_settings
from pipeline import keys

ARGSREPR_MAX = 1024  # celery's default argsrepr_maxsize


@lru_cache(maxsize=1)
def publisher() -> Celery:
    settings = get_settings()
    app = Celery("memq-api", broker=settings.redis_url)
    app.conf.update(task_serializer="json", broker_connection_retry_on_startup=True,
                    broker_transport_options={"visibility_timeout": settings.visibility_timeout_seconds},
                    broker_connection_max_retries=1, task_publish_retry=False)
    return app


@lru_cache(maxsize=64)
def _template(name: str) -> tuple[dict, dict, dict]:
    """Celery's own protocol-v2 headers, properties and body extras for task `name`, built once by
    app.amqp.as_task_v2: per message only the ids, the arguments and our two headers change."""
    app = publisher()
    message = app.amqp.as_task_v2("template", name, args=[], kwargs={}, origin=anon_nodename(),
                                  reply_to=app.thread_oid, ignore_result=None)  # as send_task does
    return message.headers, message.properties, message.body[2]


def task_message(name: str, queue: str, args: list, kwargs: dict | None = None,
                 request_id: str | None = None) -> bytes:
    """The bytes kombu's Redis transport LPUSHes for `send_task(name, args, queue=queue)`."""
    headers, properties, extras = _template(name)
    task_id = str(uuid.uuid4())
    kwargs = kwargs or {}
    # sent_at: when it was queued, for memq_oldest_task_age_seconds (api/metrics.py).
    headers = {**headers, "id": task_id, "root_id": task_id, "argsrepr": saferepr(args, ARGSREPR_MAX),
               "kwargsrepr": saferepr(kwargs, ARGSREPR_MAX), "request_id": request_id,
               "sent_at": round(time.time(), 3)}
    content_type, encoding, body = serialization.dumps((args, kwargs, extras), serializer="json")
    envelope = {"body": base64.b64encode(body.encode(encoding)).decode(), "content-encoding": encoding,
                "content-type": content_type, "headers": headers,
                "properties": {**properties, "correlation_id": task_id, "delivery_mode": 2,
                               "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0,
                               "body_encoding": "base64", "delivery_tag": str(uuid.uuid4())}}
    return json.dumps(envelope).encode()


def enqueue(pipe, name: str, queue: str, args: list, kwargs: dict | None = None,
            request_id: str | None = None) -> None:
    """Add the message to a caller's Redis pipeline (the accept path's MULTI)."""
    pipe.lpush(queue, task_message(name, queue, args, kwargs, request_id))


async def publish(name: str, queue: str, args: list, kwargs: dict | None = None,
                  request_id: str | None = None) -> None:
    async with redis_errors("the queue is unreachable"):
        await client().lpush(queue, task_message(name, queue, args, kwargs, request_id))


REPLY_POLL_SECONDS = 3  # below the API's Redis socket timeout (api/redis_conn.py)


async def call(name: str, *args, request_id: str | None = None) -> dict:
    """Run a query task on the store worker and wait for its answer."""
    reply_to = uuid.uuid4().hex
    timeout = get_settings().rpc_timeout_seconds
    await publish(name, "query", [reply_to, *args], request_id=request_id)
    deadline = time.monotonic() + timeout
    got = None
    while got is None and time.monotonic() < deadline:
        # Short waits: one BLPOP longer than the client's socket timeout would read as Redis down.
        wait = max(1, min(REPLY_POLL_SECONDS, int(deadline - time.monotonic())))
        async with redis_errors("the store is unreachable"):
            got = await client().blpop([keys.reply(reply_to)], timeout=wait)
    if got is None:  # the store worker is restarting or overloaded: unavailable, not a bug
        raise MemqError(ErrorCode.INTERNAL, f"the store worker did not answer within {timeout:g} s; retry later",
                        headers={"Retry-After": "5"}, status=503)
    reply = json.loads(got[1])
    if not reply["ok"]:
        err = reply["error"]
        raise MemqError(ErrorCode(err["code"]), err["message"])
    return reply["data"]
