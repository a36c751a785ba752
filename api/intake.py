"""add/message: check the limits, charge the quota, and durably accept the batch.

`code 0` is answered only once the batch, its task record, the raw messages and the first stage's
Celery message are in Redis. One script call does it all: a Lua script (EVALSHA) that answers an
idempotent replay, charges the quota, allocates the conversation's message indices and writes
everything, atomically (Redis runs a script alone, and refuses one under `maxmemory` before its
first write). Concurrent requests' calls share round trips (api/batched_script.py). If the answer
is lost (Redis went away mid-call), what the script wrote is removed and the quota refunded: the
client sees 50144 and nothing half-written remains."""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from redis.exceptions import ResponseError

from api import metrics, queue
from api.auth import Caller
from api.batched_script import BatchedScript
from api.quota import CHARGE_LUA, QuotaState, Window
from api.redis_conn import REDIS_DOWN, client, redis_errors
from api.schemas import AddMessageRequest
from memq.errors import ErrorCode, MemqError
from memq.settings import get_settings
from memq.tokens import count_message_tokens
from pipeline import keys
from pipeline.chat_time import BEIJING, format_chat_time
from pipeline.models import MemoryViews, user_scope

IDEMPOTENCY_TTL = 24 * 3600
FIRST_QUEUE, FIRST_STAGE = "ingest", "ingest.extract"

# The batch JSON and each raw message arrive as pieces around their message indices, which only
# the script knows (it allocates them): the pieces are spliced, never searched, so no content can
# be mistaken for a placeholder.
_ACCEPT = "local function charge()\n" + CHARGE_LUA + """
end
-- KEYS: 1 quota window, 2 idempotency key ('' for none), 3 conversation length, 4 batch,
--       5 task record, 6 conversation's raw messages, 7 user's conversations, 8 user's tasks,
--       9 in-flight zset, 10 the first stage's queue
-- ARGV: 1 cost, 2 limit, 3 quota key lifetime ms, 4 idempotency ttl s, 5 task id, 6 task ttl s,
--       7 accepted at (epoch s), 8 conversation id, 9 Celery message, 10 messages (n),
--       11 task record fields and values (r), then: r record items, n + 1 batch pieces,
--       n raw message heads, then metric commands, each its argument count then the command
if KEYS[2] ~= '' then
  local existing = redis.call('get', KEYS[2])
  if existing then return {2, tonumber(redis.call('get', KEYS[1]) or '0'), existing} end
end
local quota = charge()
if quota[1] == 0 then return quota end
if KEYS[2] ~= '' then redis.call('set', KEYS[2], ARGV[5], 'EX', ARGV[4]) end
local n, r = tonumber(ARGV[10]), tonumber(ARGV[11])
local first = redis.call('incrby', KEYS[3], n) - n
local at = 12
redis.call('hset', KEYS[5], unpack(ARGV, at, at + r - 1))
redis.call('expire', KEYS[5], ARGV[6])
at = at + r
local batch = {}
for i = 0, n - 1 do
  batch[#batch + 1] = ARGV[at + i]
  batch[#batch + 1] = tostring(first + i)
end
batch[#batch + 1] = ARGV[at + n]
redis.call('set', KEYS[4], table.concat(batch), 'EX', ARGV[6])
at = at + n + 1
local raw = {}
for i = 0, n - 1 do raw[i + 1] = ARGV[at + i] .. tostring(first + i) .. '}' end
redis.call('rpush', KEYS[6], unpack(raw))
at = at + n
redis.call('sadd', KEYS[7], ARGV[8])
redis.call('sadd', KEYS[8], ARGV[5])
redis.call('zadd', KEYS[9], ARGV[7], ARGV[5])  -- crash recovery watches it until it completes or fails
redis.call('lpush', KEYS[10], ARGV[9])
while at <= #ARGV do
  local argc = tonumber(ARGV[at])
  redis.call(unpack(ARGV, at + 1, at + argc))
  at = at + argc + 1
end
return {1, quota[2]}
"""

# Removes what the accept script wrote, if it ran (its task record is there): for an answer lost
# on the way back. The raw messages are found by task id afterwards (_drop_raw_messages).
_UNDO = """
-- KEYS: 1 task record, 2 batch, 3 user's tasks, 4 in-flight, 5 queue, 6 quota window, 7 idempotency key or ''
-- ARGV: 1 task id, 2 Celery message, 3 cost
if redis.call('exists', KEYS[1]) == 0 then return 0 end
redis.call('del', KEYS[1], KEYS[2])
redis.call('srem', KEYS[3], ARGV[1])
redis.call('zrem', KEYS[4], ARGV[1])
redis.call('lrem', KEYS[5], 1, ARGV[2])
redis.call('decrby', KEYS[6], ARGV[3])
if KEYS[7] ~= '' and redis.call('get', KEYS[7]) == ARGV[1] then redis.call('del', KEYS[7]) end
return 1
"""


_ID_TOO_LONG = {"user_id": ErrorCode.USER_ID_TOO_LONG, "conversation_id": ErrorCode.CONVERSATION_ID_TOO_LONG}


def check_id_length(field: str, value: str) -> None:
    """40010/40011 for a user or conversation id over the limit, on every endpoint that takes one:
    no such id can have been stored, and an empty answer would hide the caller's mistake."""
    limit = get_settings().max_id_chars
    if field in _ID_TOO_LONG and len(value) > limit:
        raise MemqError(_ID_TOO_LONG[field], f"is longer than {limit} characters; use a short id", field=field)


def check_limits(body: AddMessageRequest, key_budget: int | None = None) -> int:
    """Validate what pydantic cannot know (settings-driven limits, emptiness); return the tokens.
    `key_budget`: the key's own token budget per quota window, when it has one."""
    settings = get_settings()
    for name in ("user_id", "conversation_id"):
        value = getattr(body, name)
        if not value.strip():
            raise MemqError(ErrorCode.MISSING, "is required and must not be empty", field=name)
    check_id_length("user_id", body.user_id)
    check_id_length("conversation_id", body.conversation_id)
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
    budget = settings.quota_tokens if key_budget is None else key_budget
    if tokens > budget:
        # a 40309 would say "retry after ...", and no wait would ever make it fit
        raise MemqError(ErrorCode.REQUEST_TOKENS,
                        f"about {tokens} tokens, more than this key's whole budget of {budget} per "
                        f"{settings.quota_window_seconds} s: it can never be accepted; shorten or split it",
                        field="messages")
    return tokens


@dataclass
class Accepted:
    task_id: str
    quota: QuotaState
    replayed: bool  # an earlier request with the same Idempotency-Key was accepted as this task


@lru_cache(maxsize=1)
def _scripts():
    return BatchedScript(_ACCEPT), client().register_script(_UNDO)


@lru_cache(maxsize=4096)
def _scope(project: str, user_id: str) -> str:
    return user_scope(project, user_id)  # a uuid5: worth remembering for the users adding now


class _Commands:
    """Stands in for a Redis pipeline for pipeline.metrics' recorders: the commands they queue
    run inside the accept script, so a batch is counted exactly when it is accepted."""

    def __init__(self):
        self.args: list = []

    def __getattr__(self, command: str):
        def queue(*args):
            self.args += [len(args) + 1, command, *args]
        return queue


@lru_cache(maxsize=64)
def _metric_commands(messages: int, minute: int) -> tuple:
    """The accepted-batch metrics' commands: the same for every batch of that size in that minute
    (pipeline.metrics.accepted reads the time only for its per-minute counts)."""
    counted = _Commands()
    metrics.accepted(counted, messages, minute * 60)
    return tuple(counted.args)


async def accept(caller: Caller, body: AddMessageRequest, tokens: int, idempotency_key: str | None,
                 request_id: str) -> Accepted:
    settings = get_settings()
    window = Window(caller.key_hash, caller.quota_tokens)
    task_id = uuid.uuid4().hex
    project, conversation_id = caller.project, body.conversation_id
    scope = _scope(project, body.user_id)
    idempotency = keys.idempotency(project, idempotency_key) if idempotency_key else ""
    now = time.time()
    now_ms = int(now * 1000)
    received = datetime.fromtimestamp(now, BEIJING)  # the chat_time of messages that give none
    n = len(body.messages)
    celery_message = queue.task_message(FIRST_STAGE, FIRST_QUEUE, [task_id], request_id=request_id)
    record = ["task_id", task_id, "project", project, "user_id", body.user_id, "conversation_id", conversation_id,
              "status", "queued", "created_at", now_ms, "updated_at", now_ms, "messages", n,
              "request_id", request_id, "stages", "{}"]
    script_keys = [window.key, idempotency, keys.conversation_length(scope, conversation_id), keys.batch(task_id),
                   keys.task(task_id), keys.conversation_messages(scope, conversation_id),
                   keys.user_conversations(scope), keys.user_tasks(scope), keys.INFLIGHT, FIRST_QUEUE]
    batch, raw_messages = _batch_and_raw_messages(task_id, project, body, now, request_id, received)
    args = [tokens, window.limit, window.key_lifetime_ms, IDEMPOTENCY_TTL, task_id, settings.task_ttl_seconds, now,
            conversation_id, celery_message, n, len(record), *record, *batch, *raw_messages,
            *_metric_commands(n, int(now // 60))]
    accept_script, undo_script = _scripts()
    call = accept_script.submit(script_keys, args)
    try:
        reply = await asyncio.shield(call)  # cancelled or not, the call's outcome is known before any undo
    except BaseException as exc:
        if not call.done():
            await asyncio.wait([call])
        await _undo(undo_script, scope, conversation_id, task_id, window, idempotency, celery_message, tokens)
        if isinstance(exc, REDIS_DOWN):
            raise MemqError(ErrorCode.NOT_ACCEPTED, "the queue is unreachable; nothing was written, retry later") \
                from exc
        if isinstance(exc, ResponseError) and str(exc).startswith("OOM"):
            raise MemqError(ErrorCode.NOT_ACCEPTED, "the queue is full (Redis is at its memory limit); nothing "
                            "was written, retry later", headers={"Retry-After": "5"}) from exc
        raise
    status, used = int(reply[0]), int(reply[1])
    if status == 2:
        return Accepted(reply[2].decode(), window.state(True, used), replayed=True)
    if status == 0:
        quota = window.state(False, used)
        raise MemqError(ErrorCode.QUOTA_EXCEEDED,
                        f"token quota of {quota.limit} per {window.seconds} s used up "
                        f"({quota.used} used, this request needs {tokens}); retry after {quota.retry_after} s",
                        headers={**quota.headers(), "Retry-After": str(quota.retry_after)})
    # One line per accepted batch, joining the request id (bound by the middleware) to its task.
    metrics.log.info("batch.accepted", task_id=task_id, user_id=body.user_id, messages=n, tokens=tokens)
    return Accepted(task_id, window.state(True, used), replayed=False)


def _json(value) -> str:
    return "null" if value is None else json.dumps(value)


def _batch_and_raw_messages(task_id: str, project: str, body: AddMessageRequest, now: float, request_id: str,
                            received: datetime) -> tuple[list[str], list[str]]:
    """The JSON the script writes, cut where it puts each message's index: the batch
    (pipeline.models.Batch) in n + 1 pieces, and each raw message (as get/message reads it) up to
    its index. Spliced from json.dumps of each value rather than dumped from the pydantic models
    (a fifth of the cost); the workers validate the batch with Batch when they read it, and
    tests/integration/test_accept_script.py holds it equal to the models' own."""
    head = json.dumps({"task_id": task_id, "project": project, "user_id": body.user_id,
                       "conversation_id": body.conversation_id, "agent_id": body.agent_id, "app_id": body.app_id,
                       "tags": body.tags or [], "info": body.info or {}, "accepted_at": now,
                       "request_id": request_id})
    batch = [head[:-1] + ', "messages": [']
    raw = []
    created, task = int(now * 1000), json.dumps(task_id)
    as_received = (received.isoformat(), format_chat_time(received))  # for every message that gives no time
    for i, m in enumerate(body.messages):
        iso, shown = as_received if m.chat_time is None else (m.chat_time.isoformat(), format_chat_time(m.chat_time))
        content = json.dumps(m.content)
        batch[-1] += (f'{", " if i else ""}{{"role": "{m.role}", "content": {content}, "chat_time": "{iso}", '
                      f'"tool_calls": {_json(m.tool_calls)}, "tool_call_id": {_json(m.tool_call_id)}, '
                      f'"name": {_json(m.name)}, "message_index": ')
        batch.append("}")
        raw.append(f'{{"role": "{m.role}", "content": {content}, "chat_time": "{shown}", '
                   f'"create_time": {created}, "task_id": {task}, "message_index": ')
    batch[-1] += "]}"
    return batch, raw


async def _undo(undo_script, scope: str, conversation_id: str, task_id: str, window: Window, idempotency: str,
                celery_message: bytes, tokens: int) -> None:
    """Best effort: if Redis is down the script's effects are either all there (and removed here
    once it answers) or none. The conversation's length keeps its gap, as after any failed add.
    The accepted-batch metrics are not taken back: a lost answer after a written batch is rare."""
    try:
        undone = await undo_script(keys=[keys.task(task_id), keys.batch(task_id), keys.user_tasks(scope),
                                         keys.INFLIGHT, FIRST_QUEUE, window.key, idempotency],
                                   args=[task_id, celery_message, tokens])
        if undone:
            await _drop_raw_messages(client(), scope, conversation_id, task_id)
    except REDIS_DOWN:
        pass


async def _drop_raw_messages(redis, scope: str, conversation_id: str, task_id: str) -> None:
    key = keys.conversation_messages(scope, conversation_id)
    for raw in await redis.lrange(key, -500, -1):
        if json.loads(raw).get("task_id") == task_id:
            await redis.lrem(key, 0, raw)


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
