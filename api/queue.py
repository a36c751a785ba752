"""How the API hands work to the workers: Celery messages on the broker, and RPC calls whose
answer the store worker pushes to a reply key. The API imports no worker code: this Celery
instance only builds messages.

A message is pushed with the API's own asyncio Redis client, exactly as kombu's Redis transport
would push it (LPUSH on the list named after the queue), so the accept path can push it in the
same atomic script as the batch it announces (api/intake.py): one round trip, no thread hop, and
no batch on the queue without its data (or the reverse). Celery builds the protocol-v2 headers
and body itself (app.amqp.as_task_v2), once per task name, so the workers consume it unchanged."""
from __future__ import annotations

import base64
import json
import time
import uuid
from functools import lru_cache

from celery import Celery
from celery.utils.nodenames import anon_nodename
from celery.utils.saferepr import saferepr

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


# What changes from one message to the next; everything else is Celery's, serialized once.
_PER_MESSAGE_HEADERS = ("id", "root_id", "argsrepr", "kwargsrepr", "request_id", "sent_at")
_ENVELOPE = ('{"body": "%s", "content-encoding": "utf-8", "content-type": "application/json", '
             '"headers": {%s, "id": "%s", "root_id": "%s", "argsrepr": %s, "kwargsrepr": %s, "request_id": %s, '
             '"sent_at": %s}, "properties": {%s, "correlation_id": "%s", "delivery_tag": "%s"}}')


@lru_cache(maxsize=64)
def _template(name: str, queue: str) -> tuple[str, str, str]:
    """Celery's own protocol-v2 headers, properties and body extras for task `name` on `queue`,
    built once by app.amqp.as_task_v2 and serialized: the JSON members that are the same in
    every message (headers, properties) and the body's extras."""
    app = publisher()
    message = app.amqp.as_task_v2("template", name, args=[], kwargs={}, origin=anon_nodename(),
                                  reply_to=app.thread_oid, ignore_result=None)  # as send_task does
    headers = {k: v for k, v in message.headers.items() if k not in _PER_MESSAGE_HEADERS}
    properties = {**{k: v for k, v in message.properties.items() if k != "correlation_id"}, "delivery_mode": 2,
                  "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0, "body_encoding": "base64"}
    return json.dumps(headers)[1:-1], json.dumps(properties)[1:-1], json.dumps(message.body[2])


def _display_repr(value) -> str:
    """argsrepr/kwargsrepr are for display only (celery inspect, logs): a plain repr when it is
    short, as saferepr would give it, at a fraction of saferepr's cost on the accept path."""
    plain = repr(value)
    return plain if len(plain) <= ARGSREPR_MAX else saferepr(value, ARGSREPR_MAX)


def task_message(name: str, queue: str, args: list, kwargs: dict | None = None,
                 request_id: str | None = None) -> bytes:
    """The bytes kombu's Redis transport LPUSHes for `send_task(name, args, queue=queue)`."""
    headers, properties, extras = _template(name, queue)
    task_id = str(uuid.uuid4())
    kwargs = kwargs or {}
    body = f"[{json.dumps(args)}, {json.dumps(kwargs)}, {extras}]"  # what kombu's json serializer writes
    # sent_at: when it was queued, for memq_oldest_task_age_seconds (api/metrics.py).
    return (_ENVELOPE % (base64.b64encode(body.encode()).decode(), headers, task_id, task_id,
                         json.dumps(_display_repr(args)), json.dumps(_display_repr(kwargs)), json.dumps(request_id),
                         round(time.time(), 3), properties, task_id, uuid.uuid4())).encode()


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
