"""add/message: check the limits, charge the quota, and durably accept the batch.

`code 0` is answered only once the batch, its task record, the raw messages and the first stage's
Celery message are in Redis, written by one MULTI/EXEC (all or nothing). Two round trips in all:
one Lua call charges the quota and allocates the conversation's message indices, then the MULTI.
If any step fails, what was written is removed and the quota refunded: the client sees 50144 and
nothing half-written remains."""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import datetime

from api import metrics, queue
from api.auth import Caller
from api.quota import QuotaState, charge, refund
from api.redis_conn import REDIS_DOWN, client, redis_errors
from api.schemas import AddMessageRequest
from memq.errors import ErrorCode, MemqError
from memq.settings import get_settings
from memq.tokens import count_message_tokens
from pipeline import keys
from pipeline.chat_time import BEIJING, epoch_ms, format_chat_time
from pipeline.models import Batch, Message, MemoryViews, user_scope

IDEMPOTENCY_TTL = 24 * 3600


def check_limits(body: AddMessageRequest) -> int:
    """Validate what pydantic cannot know (settings-driven limits, emptiness); return the tokens."""
    settings = get_settings()
    for name in ("user_id", "conversation_id"):
        if not getattr(body, name).strip():
            raise MemqError(ErrorCode.MISSING, "is required and must not be empty", field=name)
    if len(body.user_id) > settings.max_id_chars:
        raise MemqError(ErrorCode.USER_ID_TOO_LONG, f"is longer than {settings.max_id_chars} characters",
                        field="user_id")
    if len(body.conversation_id) > settings.max_id_chars:
        raise MemqError(ErrorCode.CONVERSATION_ID_TOO_LONG,
                        f"is longer than {settings.max_id_chars} characters; use a short id", field="conversation_id")
    if not body.messages:
        raise MemqError(ErrorCode.MISSING, "is required and must not be empty", field="messages")
    if len(body.messages) > settings.max_messages:
        raise MemqError(ErrorCode.MESSAGES_TOO_LARGE,
                        f"{len(body.messages)} messages; at most {settings.max_messages} per request: split the "
                        "history into several requests", field="messages")
    total_chars = sum(len(m.content) for m in body.messages)
    if total_chars > settings.max_content_chars:
        raise MemqError(ErrorCode.MESSAGES_TOO_LARGE,
                        f"{total_chars} characters of content; at most {settings.max_content_chars} per request",
                        field="messages")
    for i, message in enumerate(body.messages):
        if not message.content.strip() and not message.tool_calls:
            raise MemqError(ErrorCode.MISSING, "content must not be empty", field=f"messages[{i}].content")
    tokens = count_message_tokens([m.content for m in body.messages])
    if tokens > settings.max_request_tokens:
        raise MemqError(ErrorCode.REQUEST_TOKENS,
                        f"about {tokens} tokens; at most {settings.max_request_tokens} per request: shorten or "
                        "split it", field="messages")
    return tokens


async def existing_task(project: str, idempotency_key: str | None) -> str | None:
    if not idempotency_key:
        return None
    async with redis_errors():
        found = await client().get(keys.idempotency(project, idempotency_key))
    return found.decode() if found else None


async def accept(caller: Caller, body: AddMessageRequest, tokens: int, idempotency_key: str | None,
                 request_id: str) -> tuple[str, QuotaState]:
    settings = get_settings()
    # Without an idempotency key the indices are allocated with the charge (one round trip); with
    # one, only after the key is claimed, so that a replay leaves no gap in the conversation.
    allocate = None if idempotency_key else (
        keys.conversation_length(user_scope(caller.project, body.user_id), body.conversation_id), len(body.messages))
    async with redis_errors():
        quota = await charge(caller.key_hash, tokens, caller.quota_tokens, allocate=allocate)
    if not quota.allowed:
        raise MemqError(ErrorCode.QUOTA_EXCEEDED,
                        f"token quota of {quota.limit} per {settings.quota_window_seconds} s used up "
                        f"({quota.used} used, this request needs {tokens}); retry after {quota.retry_after} s",
                        headers={**quota.headers(), "Retry-After": str(quota.retry_after)})
    task_id = uuid.uuid4().hex
    try:
        await _store_and_enqueue(caller, body, task_id, idempotency_key, request_id, quota.allocated)
    except BaseException as exc:
        await _refund_quietly(caller.key_hash, quota, tokens)
        if isinstance(exc, REDIS_DOWN):
            raise MemqError(ErrorCode.NOT_ACCEPTED, "the queue is unreachable; nothing was written, retry later") \
                from exc
        raise
    # One line per accepted batch, joining the request id (bound by the middleware) to its task.
    metrics.log.info("batch.accepted", task_id=task_id, user_id=body.user_id, messages=len(body.messages),
                     tokens=tokens)
    return task_id, quota


async def _refund_quietly(key_hash: str, quota: QuotaState, tokens: int) -> None:
    try:
        await refund(key_hash, quota, tokens)
    except REDIS_DOWN:
        pass  # Redis is down: the window's count is lost with it, or expires by itself


async def _store_and_enqueue(caller: Caller, body: AddMessageRequest, task_id: str,
                             idempotency_key: str | None, request_id: str, end: int | None) -> None:
    """`end`: the conversation's length after this batch, if the charge allocated it already."""
    settings = get_settings()
    redis = client()
    project = caller.project
    scope = user_scope(project, body.user_id)
    now = time.time()
    if idempotency_key:
        claimed = await redis.set(keys.idempotency(project, idempotency_key), task_id, nx=True, ex=IDEMPOTENCY_TTL)
        if not claimed:  # a concurrent retry with the same key won the race
            raise IdempotentReplay((await redis.get(keys.idempotency(project, idempotency_key))).decode())
    written: list[str] = []
    try:
        if end is None:
            end = await redis.incrby(keys.conversation_length(scope, body.conversation_id), len(body.messages))
        first_index = end - len(body.messages)
        received = datetime.now(BEIJING)
        messages = [Message(role=m.role, content=m.content, chat_time=m.chat_time or received,
                            message_index=first_index + i, tool_calls=m.tool_calls, tool_call_id=m.tool_call_id,
                            name=m.name) for i, m in enumerate(body.messages)]
        batch = Batch(task_id=task_id, project=project, user_id=body.user_id, conversation_id=body.conversation_id,
                      messages=messages, agent_id=body.agent_id, app_id=body.app_id, tags=body.tags or [],
                      info=body.info or {}, accepted_at=now, request_id=request_id)
        record = {"task_id": task_id, "project": project, "user_id": body.user_id,
                  "conversation_id": body.conversation_id, "status": "queued", "created_at": int(now * 1000),
                  "updated_at": int(now * 1000), "messages": len(messages), "request_id": request_id,
                  "stages": "{}"}
        raw = [json.dumps({"role": m.role, "content": m.content, "chat_time": format_chat_time(m.chat_time),
                           "create_time": int(now * 1000), "message_index": m.message_index,
                           "task_id": task_id}) for m in messages]
        ttl = settings.task_ttl_seconds
        written = [keys.batch(task_id), keys.task(task_id)]
        pipe = redis.pipeline(transaction=True)
        pipe.set(keys.batch(task_id), batch.model_dump_json(), ex=ttl)
        pipe.hset(keys.task(task_id), mapping=record)
        pipe.expire(keys.task(task_id), ttl)
        pipe.rpush(keys.conversation_messages(scope, body.conversation_id), *raw)
        pipe.sadd(keys.user_conversations(scope), body.conversation_id)
        pipe.sadd(keys.user_tasks(scope), task_id)
        pipe.zadd(keys.INFLIGHT, {task_id: now})  # crash recovery watches it until it completes or fails
        queue.enqueue(pipe, "ingest.extract", "ingest", [task_id], request_id=request_id)
        metrics.accepted(pipe, len(messages), now)  # counted in the same transaction as the batch
        await pipe.execute()
    except BaseException:
        await _undo(redis, written, scope, body, task_id, idempotency_key, project)
        raise


async def _undo(redis, written, scope, body, task_id, idempotency_key, project) -> None:
    """Best effort: remove what this request wrote. If Redis itself is down nothing was
    written by the failed MULTI either, since EXEC is all or nothing."""
    try:
        pipe = redis.pipeline(transaction=True)
        if written:
            pipe.delete(*written)
        pipe.srem(keys.user_tasks(scope), task_id)
        pipe.zrem(keys.INFLIGHT, task_id)
        if idempotency_key:
            pipe.delete(keys.idempotency(project, idempotency_key))
        await pipe.execute()
        await _drop_raw_messages(redis, scope, body.conversation_id, task_id)
    except REDIS_DOWN:
        pass


async def _drop_raw_messages(redis, scope: str, conversation_id: str, task_id: str) -> None:
    key = keys.conversation_messages(scope, conversation_id)
    for raw in await redis.lrange(key, -500, -1):
        if json.loads(raw).get("task_id") == task_id:
            await redis.lrem(key, 0, raw)


class IdempotentReplay(Exception):
    def __init__(self, task_id: str):
        super().__init__(task_id)
        self.task_id = task_id


async def wait_for_completion(task_id: str) -> dict:
    """async_mode=false: answer when the batch is stored (or failed), within the sync timeout."""
    deadline = time.monotonic() + get_settings().sync_timeout_seconds
    delay = 0.02
    while time.monotonic() < deadline:
        async with redis_errors("the task store is unreachable"):
            status = await client().hget(keys.task(task_id), "status")
        if status in (b"completed", b"failed"):
            break
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.25)
    return await task_status_record(task_id)


async def task_status_record(task_id: str) -> dict:
    async with redis_errors("the task store is unreachable"):
        raw = await client().hgetall(keys.task(task_id))
    return {k.decode(): v.decode() for k, v in raw.items()}


def present_status(record: dict) -> dict:
    views = json.loads(record["memory_views"]) if record.get("memory_views") else MemoryViews().model_dump()
    out = {"task_id": record["task_id"], "status": record.get("status", "queued"), "memory_views": views,
           "outcome": record.get("outcome"), "stages": json.loads(record.get("stages") or "{}"),
           "created_at": int(record.get("created_at", 0)), "updated_at": int(record.get("updated_at", 0))}
    if record.get("tokens"):
        out["tokens"] = json.loads(record["tokens"])
    if record.get("error"):
        err = json.loads(record["error"])
        out["error"] = {"code": err["code"], "message": err["message"]}
    return out
