"""The SDK's retry logic and error mapping, driven by a small scripted server (an httpx transport):
the same flows run in the sync and the async client."""
import asyncio
import json
import time

import httpx
import pytest

from memq import client as sdk
from memq.errors import ErrorCode


class Script:
    """Answers requests in order from a list of (status, body, headers) or exceptions."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        return httpx.Response(status, json=body, headers=headers)


def ok(data):
    return 200, {"code": 0, "message": "ok", "data": data}, {}


def refused(status, code, retry_after=None):
    headers = {"Retry-After": retry_after} if retry_after else {}
    return status, {"code": code, "message": f"refused {code}", "data": None}, headers


ADDED = {"success": True, "task_id": "t1", "status": "running"}


def sync_client(script, **kw):
    c = sdk.MemOSClient(api_key="k", base_url="http://memq.test/api/openmem/v1", transport=httpx.MockTransport(script), **kw)
    c.policy.backoff_base = 0.01
    return c


def async_client(script, **kw):
    c = sdk.AsyncMemOSClient(api_key="k", base_url="http://memq.test/api/openmem/v1",
                             transport=httpx.MockTransport(script), **kw)
    c.policy.backoff_base = 0.01
    return c


def test_quota_refusals_wait_out_retry_after_then_succeed():
    script = Script(refused(429, 40309, "0.3"), refused(429, 40309, "0.3"), ok(ADDED))
    waits = []
    client = sync_client(script, on_retry=lambda reason, delay: waits.append((reason, delay)))
    start = time.monotonic()
    res = client.add_message([{"role": "user", "content": "hi"}], user_id="u", conversation_id="c",
                             idempotency_key="key-1")
    assert time.monotonic() - start >= 0.6
    assert waits == [("quota: 40309", 0.3), ("quota: 40309", 0.3)]
    assert isinstance(res.data, sdk.AddData) and res.data.task_id == "t1"
    assert [r.headers["Idempotency-Key"] for r in script.requests] == ["key-1"] * 3
    assert json.loads(script.requests[0].content)["user_id"] == "u"


def test_quota_waits_are_bounded_unless_unlimited():
    client = sync_client(Script(*[refused(429, 40309, "0.01")] * 3), max_quota_waits=2)
    with pytest.raises(sdk.QuotaExceededError) as exc:
        client.get_quota()
    assert exc.value.code == 40309 and exc.value.status == 429 and exc.value.retry_after == 0.01
    unlimited = sync_client(Script(*[refused(429, 40309, "0.01")] * 10, ok({"task_id": "t", "status": "queued"})),
                            max_quota_waits=None)
    assert unlimited.get_task_status("t").data.status == "queued"


def test_server_errors_and_timeouts_are_retried_with_backoff():
    script = Script(httpx.ConnectTimeout("slow"), refused(503, 50144), refused(502, 50000), ok(ADDED))
    client = sync_client(script, max_retries=3)
    assert client.add_message([{"role": "user", "content": "hi"}], "u", "c").data.task_id == "t1"
    assert len(script.requests) == 4
    # every retry of one add carries the same Idempotency-Key, made by the SDK when the caller gave
    # none: a batch accepted before its answer was lost is answered, not stored twice
    keys = {r.headers.get("Idempotency-Key") for r in script.requests}
    assert len(keys) == 1 and None not in keys
    again = Script(ok(ADDED))
    sync_client(again).add_message([{"role": "user", "content": "hi"}], "u", "c")
    assert again.requests[0].headers["Idempotency-Key"] not in keys  # a new call is a new batch
    exhausted = sync_client(Script(refused(503, 50144), refused(503, 50144)), max_retries=1)
    with pytest.raises(sdk.NotAcceptedError):
        exhausted.add_message([{"role": "user", "content": "hi"}], "u", "c")


def test_client_errors_raise_their_typed_exception_at_once():
    script = Script(refused(413, 40305))
    with pytest.raises(sdk.RequestTokensError) as exc:
        sync_client(script).add_message([{"role": "user", "content": "x"}], "u", "c")
    assert len(script.requests) == 1 and exc.value.message == "refused 40305"
    # One exception class per business code, each a MemQAPIError.
    classes = {sdk.error_for(int(code)) for code in ErrorCode}
    assert len(classes) == len(ErrorCode) and all(issubclass(c, sdk.MemQAPIError) for c in classes)
    assert sdk.error_for(40132) is sdk.BadApiKeyError and sdk.error_for(50131) is sdk.TaskNotFoundError


def test_async_client_runs_the_same_flows():
    script = Script(refused(429, 40309, "0.2"), ok(ADDED), ok({"task_id": "t1", "status": "running"}),
                    ok({"task_id": "t1", "status": "completed", "memory_views": {"added": 2}}), refused(404, 50131))

    async def scenario():
        async with async_client(script) as client:
            start = time.monotonic()
            added = await client.add_message([{"role": "user", "content": "hi"}], "u", "c")
            waited = time.monotonic() - start
            done = await client.wait_for_task(added.data.task_id, timeout=5, poll=0.01)
            with pytest.raises(sdk.TaskNotFoundError):
                await client.get_task_status("nope")
            return waited, done

    waited, done = asyncio.run(scenario())
    assert waited >= 0.2
    assert done.status == "completed" and done.memory_views.added == 2


def test_a_memory_id_is_one_path_segment_whatever_it_holds():
    script = Script(*[refused(404, 40307)] * 5)
    client = sync_client(script)
    for odd in ("../../quota", "x?y=1", "a/b#frag", ".", ".."):
        with pytest.raises(sdk.MemQAPIError):
            client.get_memory_by_id(odd)
    assert [r.url.raw_path.decode() for r in script.requests] == [
        "/api/openmem/v1/get/memory/..%2F..%2Fquota", "/api/openmem/v1/get/memory/x%3Fy%3D1",
        "/api/openmem/v1/get/memory/a%2Fb%23frag", "/api/openmem/v1/get/memory/%2E",
        "/api/openmem/v1/get/memory/%2E%2E"]


def test_wait_for_task_times_out():
    script = Script(*[ok({"task_id": "t1", "status": "running"})] * 50)
    with pytest.raises(TimeoutError):
        sync_client(script).wait_for_task("t1", timeout=0.2, poll=0.05)


def test_typed_memories_keep_dict_access():
    page = sdk.MemoryPageResponse.model_validate({"code": 0, "message": "ok", "data": {
        "memory_detail_list": [{"id": "m1", "memory_value": "The user likes tea.", "memory_type": "LongTermMemory",
                                "sources": [{"conversation_id": "c", "message_index": 2}], "said_time": 1}],
        "preference_detail_list": [{"id": "p1", "preference": "tea over coffee"}], "total": 2}})
    fact = page.data.memory_detail_list[0]
    assert fact.memory_value == fact["memory_value"] == "The user likes tea."
    assert fact.sources[0].message_index == 2 and fact.get("said_time") == 1
    assert page.data.preference_detail_list[0].preference == "tea over coffee"
    one = sdk.MemoryResponse.model_validate({"code": 0, "message": "ok", "data": {"id": "x", "tool_type": "ToolSchemaMemory",
                                                                                   "tool_value": "search()"}})
    assert isinstance(one.data, sdk.ToolMemory)
