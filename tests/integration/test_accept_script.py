"""The accept path's one Lua script (api/intake.py) against a real redis-server: what it writes is
what the workers and get/message read, a replay or a refusal writes nothing, and the undo for a
lost answer removes exactly what the script wrote."""
import asyncio
import base64
import json
from datetime import datetime

import pytest

from api import intake
from api.auth import Caller
from api.redis_conn import client
from api.schemas import AddMessageRequest
from memq.errors import ErrorCode, MemqError
from memq.runner import free_port, start_redis, wait_for_redis
from memq.settings import get_settings
from pipeline import keys
from pipeline import metrics as pm
from pipeline.chat_time import BEIJING, format_chat_time
from pipeline.models import Batch, Message, user_scope
from tests.traffic import in_one_quota_window

MESSAGES = [
    {"role": "user", "content": 'I said "hi"\nand left, 你好 \\ done', "chat_time": "2025-01-02 10:00:00"},
    {"role": "assistant", "content": "Calling the weather tool.",
     "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{\"q\": 1}"}}]},
    {"role": "tool", "content": "sunny, 21.5 C", "tool_call_id": "c1", "name": "weather",
     "chat_time": "2025-01-02T10:00:01.250000+00:00"},
]


@pytest.fixture
def redis_url(tmp_path, monkeypatch):
    port = free_port()
    server = start_redis(tmp_path / "redis", port)
    url = f"redis://127.0.0.1:{port}/0"
    wait_for_redis(url)
    monkeypatch.setenv("MEMQ_REDIS_URL", url)
    caches = (get_settings, client, intake._scripts)
    for cache in caches:
        cache.cache_clear()  # a client belongs to its event loop: a fresh one per test
    yield url
    for cache in caches:
        cache.cache_clear()
    server.terminate()
    server.wait()


def request(**overrides) -> AddMessageRequest:
    return AddMessageRequest.model_validate({"user_id": "u1", "conversation_id": "c1", "messages": MESSAGES,
                                            "agent_id": "a1", "tags": ["t"], "info": {"n": 2.5, "k": ["v"]},
                                            **overrides})


def run(coroutine):
    """Each call on its own event loop, with a client made on that loop."""
    client.cache_clear()
    intake._scripts.cache_clear()
    return asyncio.run(coroutine)


def accept(body: AddMessageRequest, caller: Caller, idempotency_key: str | None = None) -> intake.Accepted:
    return run(intake.accept(caller, body, intake.check_limits(body), idempotency_key, "req-1"))


def test_the_script_writes_what_the_models_would(redis_url):
    sync = wait_for_redis(redis_url)
    caller = Caller("p1", "h1")
    body = request()
    first, second = accept(body, caller), accept(body, caller)
    assert not second.replayed and second.quota.used == 2 * intake.check_limits(body)

    stored = Batch.model_validate_json(sync.get(keys.batch(second.task_id)))
    received = datetime.fromtimestamp(stored.accepted_at, BEIJING)
    expected = Batch(task_id=second.task_id, project="p1", user_id="u1", conversation_id="c1", agent_id="a1",
                     tags=["t"], info={"n": 2.5, "k": ["v"]}, accepted_at=stored.accepted_at, request_id="req-1",
                     messages=[Message(role=m.role, content=m.content, chat_time=m.chat_time or received,
                                       message_index=3 + i, tool_calls=m.tool_calls, tool_call_id=m.tool_call_id,
                                       name=m.name) for i, m in enumerate(body.messages)])
    assert stored == expected  # indices continue the conversation: the first add took 0-2

    scope = user_scope("p1", "u1")
    raw = [json.loads(r) for r in sync.lrange(keys.conversation_messages(scope, "c1"), 0, -1)]
    assert [r["message_index"] for r in raw] == [0, 1, 2, 3, 4, 5]
    assert raw[3] == {"role": "user", "content": MESSAGES[0]["content"], "chat_time": "2025-01-02 10:00:00",
                      "create_time": int(stored.accepted_at * 1000), "task_id": second.task_id, "message_index": 3}
    assert raw[4]["chat_time"] == format_chat_time(received)
    assert raw[5]["chat_time"] == "2025-01-02 18:00:01"  # UTC given, Beijing shown

    record = {k.decode(): v.decode() for k, v in sync.hgetall(keys.task(second.task_id)).items()}
    assert record == {"task_id": second.task_id, "project": "p1", "user_id": "u1", "conversation_id": "c1",
                      "status": "queued", "created_at": str(int(stored.accepted_at * 1000)),
                      "updated_at": str(int(stored.accepted_at * 1000)), "messages": "3", "request_id": "req-1",
                      "stages": "{}"}
    assert 0 < sync.ttl(keys.task(second.task_id)) <= get_settings().task_ttl_seconds
    assert 0 < sync.ttl(keys.batch(second.task_id)) <= get_settings().task_ttl_seconds
    assert sync.zscore(keys.INFLIGHT, second.task_id) == pytest.approx(stored.accepted_at, abs=1e-3)
    assert sync.smembers(keys.user_tasks(scope)) == {first.task_id.encode(), second.task_id.encode()}
    assert sync.smembers(keys.user_conversations(scope)) == {b"c1"}

    queued = [json.loads(m) for m in sync.lrange("ingest", 0, -1)]
    assert [m["headers"]["task"] for m in queued] == ["ingest.extract"] * 2
    args = json.loads(base64.b64decode(queued[0]["body"]))[0]
    assert args == [second.task_id] and queued[0]["headers"]["request_id"] == "req-1"

    counters = pm.counter_values(sync.hgetall(keys.METRICS_COUNTERS))
    assert counters[pm.BATCHES.name][()] == 2 and counters[pm.MESSAGES.name][()] == 6


def test_a_replay_answers_the_first_task_and_writes_nothing(redis_url):
    sync = wait_for_redis(redis_url)
    in_one_quota_window(10)  # the quota read below must be the window charged above
    caller = Caller("p1", "h1")
    first = accept(request(), caller, idempotency_key="k1")
    before = {key: sync.dump(key) for key in sync.keys("*")}
    again = accept(request(conversation_id="other"), caller, idempotency_key="k1")
    assert again.replayed and again.task_id == first.task_id
    assert again.quota.used == first.quota.used  # not charged again
    assert {key: sync.dump(key) for key in sync.keys("*")} == before
    other = accept(request(), Caller("p2", "h2"), idempotency_key="k1")  # keys are per project
    assert not other.replayed and other.task_id != first.task_id


def test_a_refusal_by_quota_writes_and_charges_nothing(redis_url):
    sync = wait_for_redis(redis_url)
    in_one_quota_window(10)  # the quota read below must be the window charged above
    body = request()
    caller = Caller("p1", "h1", quota_tokens=intake.check_limits(body) + 1)
    accept(body, caller)
    before = {key: sync.dump(key) for key in sync.keys("*")}
    with pytest.raises(MemqError) as refused:
        accept(body, caller, idempotency_key="k2")
    assert refused.value.code == ErrorCode.QUOTA_EXCEEDED and "Retry-After" in refused.value.headers
    assert {key: sync.dump(key) for key in sync.keys("*")} == before


def test_undo_removes_what_the_script_wrote_and_only_that(redis_url):
    sync = wait_for_redis(redis_url)
    caller = Caller("p1", "h1")
    kept = accept(request(), caller, idempotency_key="kept")
    before = {key: sync.dump(key) for key in sync.keys("*") if not key.startswith(b"memq:metrics")}
    lost = accept(request(), caller, idempotency_key="lost")
    celery_message = sync.lindex("ingest", 0)
    window = intake.Window("h1")
    scope = user_scope("p1", "u1")

    async def undo(task_id, idempotency):
        await intake._undo(intake._scripts()[1], scope, "c1", task_id, window, idempotency, celery_message,
                           intake.check_limits(request()))
    # a script that never ran (no task record): nothing to undo, the other request's key stays
    run(undo("never-ran", keys.idempotency("p1", "kept")))
    assert sync.get(keys.idempotency("p1", "kept")) == kept.task_id.encode()
    run(undo(lost.task_id, keys.idempotency("p1", "lost")))
    after = {key: sync.dump(key) for key in sync.keys("*") if not key.startswith(b"memq:metrics")}
    convlen = keys.conversation_length(scope, "c1").encode()
    assert sync.get(convlen) == b"6"  # the indices the lost batch took stay taken
    assert {k: v for k, v in after.items() if k != convlen} == {k: v for k, v in before.items() if k != convlen}


def test_batched_calls_each_get_their_own_answer_even_after_a_script_flush(redis_url):
    from api.batched_script import BatchedScript
    from redis.exceptions import ResponseError

    script = BatchedScript("if ARGV[1] == 'fail' then return redis.error_reply('refused ' .. KEYS[1]) end\n"
                           "return redis.call('incrby', KEYS[1], ARGV[1])")

    async def calls(flush_first: bool):
        if flush_first:
            await client().script_flush()  # what a Redis restart does to loaded scripts
        futures = [script.submit([f"k{i % 3}"], ["fail" if i % 7 == 0 else i]) for i in range(40)]
        return await asyncio.gather(*futures, return_exceptions=True)

    for flush_first in (False, True):
        answers = run(calls(flush_first))
        refused = [i for i, a in enumerate(answers) if isinstance(a, ResponseError)]
        assert refused == list(range(0, 40, 7)) and str(answers[7]) == "refused k1"
    totals = {f"k{k}": 2 * sum(i for i in range(40) if i % 3 == k and i % 7) for k in range(3)}
    sync = wait_for_redis(redis_url)
    assert {k: int(sync.get(k)) for k in totals} == totals


def test_a_call_that_cannot_be_sent_fails_alone(redis_url):
    from api.batched_script import BatchedScript

    script = BatchedScript("return redis.call('incr', KEYS[1])")

    async def calls():
        futures = [script.submit(["n"], []) for _ in range(3)]
        with pytest.raises(UnicodeEncodeError):
            script.submit(["bad\ud800"], [])
        futures += [script.submit(["n"], []) for _ in range(2)]
        return await asyncio.gather(*futures)

    assert sorted(run(calls())) == [1, 2, 3, 4, 5]


def test_a_user_or_conversation_id_redis_cannot_store_is_a_40000():
    from pydantic import ValidationError

    from api.errors import validation_to_memq
    for name in ("user_id", "conversation_id"):
        with pytest.raises(ValidationError) as refused:
            request(**{name: "lone \ud800"})
        error = validation_to_memq(refused.value.errors())
        assert error.code == ErrorCode.INVALID and error.field == name


def test_the_extract_stage_reads_the_turn_before_a_batch_across_adds_and_gaps(redis_url):
    from pipeline.stores.task_store import TaskStore
    sync = wait_for_redis(redis_url)
    tasks = TaskStore(sync, 3600)
    caller = Caller("p1", "h1")

    def add(*turns):
        body = request(messages=[{"role": r, "content": c} for r, c in turns])
        return Batch.model_validate_json(sync.get(keys.batch(accept(body, caller).task_id)))

    first = add(("user", "We had a party."), ("assistant", "Melanie: Who performed at the concert?"))
    assert tasks.previous_turn(first) == ""  # the conversation's first message replies to nothing
    second = add(("user", "Caroline: It was Matt Patterson!"))
    assert tasks.previous_turn(second) == "Melanie: Who performed at the concert?"
    # an add undone after a lost answer leaves its indices unused: the turn before is still found
    lost = accept(request(messages=[{"role": "user", "content": "lost"}]), caller)
    celery_message = sync.lindex("ingest", 0)

    async def undo():
        await intake._undo(intake._scripts()[1], user_scope("p1", "u1"), "c1", lost.task_id, intake.Window("h1"),
                           "", celery_message, 1)
    run(undo())
    third = add(("user", "And then we danced."))
    assert third.messages[0].message_index == 4 and tasks.previous_turn(third) == "Caroline: It was Matt Patterson!"
    # a tool result is not a turn one replies to
    fourth = add(("tool", "sunny"))
    assert tasks.previous_turn(add(("user", "Nice weather."))) == "" and fourth.messages[0].role == "tool"
