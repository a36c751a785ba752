"""Every business code of the add/message contract, produced by a request built from the Add
Message doc's examples, with its HTTP status and a message naming the field."""
import json

import pytest

from api.auth import create_key, revoke_key
from tests.stack import unique
from tests.traffic import in_one_quota_window

DOC = [
    {"role": "user", "content": "I like spicy food.", "chat_time": "2025-09-12 08:00:00"},
    {"role": "assistant", "content": "I have noted that you like spicy flavors.", "chat_time": "2025-09-12 08:01:00"},
]


def body(**overrides):
    base = {"user_id": unique("memos_user"), "conversation_id": "0930", "messages": DOC}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


def expect(response, http, code, field):
    payload = response.json()
    assert response.status_code == http, response.text
    assert payload["code"] == code and payload["data"] is None, payload
    assert payload["message"].startswith(field), payload["message"]


@pytest.mark.parametrize("overrides, field", [
    ({"messages": "not an array"}, "messages"),
    ({"messages": [{"content": "no role"}]}, "messages[0].role"),
    ({"messages": [{"role": "user"}]}, "messages[0].content"),
    ({"messages": DOC + [{"role": "robot", "content": "x"}]}, "messages[2].role"),
    ({"messages": [DOC[0], {**DOC[1], "chat_time": "next tuesday-ish"}]}, "messages[1].chat_time"),
    ({"messages": [{"role": "user", "content": 42}]}, "messages[0].content"),
    ({"info": {"scene": {"nested": "object"}}}, "info.scene"),
    ({"tags": "fitness planning"}, "tags"),
    ({"user_id": 123}, "user_id"),
    ({"async_mode": "sometimes"}, "async_mode"),
])
def test_40000_names_the_bad_field(stack, overrides, field):
    expect(stack.post("/add/message", body(**overrides)), 400, 40000, field)


def post_ascii(stack, path, payload):
    """JSON as a client escaping everything to ASCII sends it: "\\ud800" can reach the API that way."""
    with stack.client() as c:
        return c.post(path, content=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("path, payload, field", [
    ("/add/message", body(messages=[{"role": "user", "content": "a lone \ud800 surrogate"}]), "messages[0].content"),
    ("/add/message", body(tags=["fine", "not \udc00 fine"]), "tags"),
    ("/add/message", body(user_id="lone \ud800"), "user_id"),
    ("/add/message", body(info={"k": "lone \ud800"}), "info"),
    ("/add/message", body(messages=[{**DOC[0], "chat_time": "0001-01-01 00:00:00"}]), "messages[0].chat_time"),
    ("/search/memory", {"user_id": "u", "query": "lone \ud800"}, "query"),
    ("/search/memory", {"user_id": "u", "query": "q", "filter": {"create_time": {"gte": "9999-12-31"}}},
     "filter.create_time.gte"),
    ("/get/memory", {"user_id": "lone \ud800"}, "user_id"),
    ("/get/status", {"task_id": "lone \ud800"}, "task_id"),
])
def test_text_that_is_no_text_and_times_out_of_range_are_40000_at_the_door(stack, path, payload, field):
    # before: accepted and failed in the worker (content, tags, chat_time), or a 500 (query, ids, filter)
    expect(post_ascii(stack, path, payload), 400, 40000, field)


def test_a_body_nested_too_deeply_is_a_40000_and_the_connection_lives_on(stack):
    deep = b'{"user_id": "u", "conversation_id": "c", "messages": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with stack.client() as c:
        expect(c.post("/add/message", content=deep, headers={"Content-Type": "application/json"}), 400, 40000, "body")
        assert c.post("/add/message", json=body()).status_code == 200  # same connection


def test_a_refused_add_carries_the_quota_headers_too(stack):
    in_one_quota_window()  # the charges compared below must fall in one window
    key = create_key(stack.redis, unique("quota"), quota_tokens=1000)
    accepted = stack.post("/add/message", body(), api_key=key)
    for refused in (stack.post("/add/message", body(messages=[]), api_key=key),
                    stack.post("/add/message", body(messages=[{"role": "robot", "content": "x"}]), api_key=key)):
        assert refused.status_code == 400
        assert refused.headers["X-RateLimit-Limit"] == "1000"
        # not charged: the same remaining as after the accepted add
        assert refused.headers["X-RateLimit-Remaining"] == accepted.headers["X-RateLimit-Remaining"]


def test_40000_for_invalid_json_and_non_object_bodies(stack):
    with stack.client() as c:
        expect(c.post("/add/message", content=b'{"user_id": ', headers={"Content-Type": "application/json"}),
               400, 40000, "body")
        expect(c.post("/add/message", json=[1, 2, 3]), 400, 40000, "body")


def test_40000_for_a_malformed_filter(stack):
    response = stack.post("/search/memory", {"user_id": "u", "query": "q", "filter": {"and": "nope"}})
    expect(response, 400, 40000, "filter.and")
    response = stack.post("/search/memory", {"user_id": "u", "query": "q",
                                             "filter": {"and": [{"create_time": {"after": "2025-01-01"}}]}})
    expect(response, 400, 40000, "filter.and[0].create_time")


@pytest.mark.parametrize("overrides, field", [
    ({"user_id": ...}, "user_id"),
    ({"user_id": ""}, "user_id"),
    ({"user_id": "   "}, "user_id"),
    ({"conversation_id": ...}, "conversation_id"),
    ({"conversation_id": ""}, "conversation_id"),
    ({"messages": ...}, "messages"),
    ({"messages": []}, "messages"),
    ({"messages": [{"role": "user", "content": "  "}]}, "messages[0].content"),
])
def test_40002_for_missing_or_empty_required_fields(stack, overrides, field):
    expect(stack.post("/add/message", body(**overrides)), 400, 40002, field)


def test_null_for_a_required_field_is_missing_too(stack):
    expect(stack.post("/add/message", body(user_id=None)), 400, 40002, "user_id")
    expect(stack.post("/add/message", body(messages=None)), 400, 40002, "messages")
    expect(stack.post("/search/memory", {"user_id": "u", "query": None}), 400, 40002, "query")
    expect(stack.post("/get/status", {"task_id": None}), 400, 40002, "task_id")


def test_an_id_over_the_limit_is_refused_on_every_endpoint_not_answered_empty(stack):
    long_id = "u" * 101
    expect(stack.post("/search/memory", {"user_id": long_id, "query": "q"}), 400, 40010, "user_id")
    expect(stack.post("/get/memory", {"user_id": long_id}), 400, 40010, "user_id")
    expect(stack.post("/delete/memory", {"user_id": long_id}), 400, 40010, "user_id")
    expect(stack.post("/get/message", {"user_id": "u", "conversation_id": "c" * 101}), 400, 40011, "conversation_id")
    expect(stack.post("/search/memory", {"user_id": "u", "query": "q", "conversation_id": "c" * 101}), 400, 40011,
           "conversation_id")


def test_40002_on_the_other_endpoints(stack):
    expect(stack.post("/search/memory", {"user_id": "u", "query": ""}), 400, 40002, "query")
    expect(stack.post("/search/memory", {"query": "x"}), 400, 40002, "user_id")
    expect(stack.post("/get/status", {}), 400, 40002, "task_id")


def test_40010_and_40011_for_long_ids(stack):
    expect(stack.post("/add/message", body(user_id="u" * 101)), 400, 40010, "user_id")
    expect(stack.post("/add/message", body(conversation_id="c" * 101)), 400, 40011, "conversation_id")
    assert stack.post("/add/message", body(user_id="u" * 100, conversation_id="c" * 100)).status_code == 200


def test_40013_for_too_many_messages_or_characters(stack):
    many = [{"role": "user", "content": f"message {i}"} for i in range(501)]
    expect(stack.post("/add/message", body(messages=many)), 413, 40013, "messages")
    huge = [{"role": "user", "content": "x" * 60_000}, {"role": "assistant", "content": "y" * 40_001}]
    expect(stack.post("/add/message", body(messages=huge)), 413, 40013, "messages")


def test_40305_for_one_request_over_the_token_limit(stack):
    # 90,000 characters: under the 100,000-character limit, over 20,000 tokens at ~4 chars/token.
    long = [{"role": "user", "content": "word " * 18_000}]
    expect(stack.post("/add/message", body(messages=long)), 413, 40305, "messages")


def test_40100_and_40132(stack):
    with stack.client() as c:
        expect(c.post("/add/message", json=body(), headers={"Authorization": ""}), 401, 40100, "Authorization")
    expect(stack.post("/add/message", body(), api_key="not-a-key"), 401, 40132, "Authorization")
    key = create_key(stack.redis, "revoked-project")
    assert stack.post("/add/message", body(), api_key=key).status_code == 200
    assert revoke_key(stack.redis, key)
    import time
    time.sleep(2.1)  # the API caches a key for 2 s
    expect(stack.post("/add/message", body(), api_key=key), 401, 40132, "Authorization")


def test_40309_with_retry_after_and_no_charge_for_rejected(stack):
    in_one_quota_window()  # the charges compared below must fall in one window
    key = create_key(stack.redis, unique("quota"), quota_tokens=40)
    first = stack.post("/add/message", body(), api_key=key)  # 24 tokens (memq/tokens.py)
    assert first.status_code == 200
    assert int(first.headers["X-RateLimit-Limit"]) == 40
    remaining = int(first.headers["X-RateLimit-Remaining"])
    assert 0 < remaining < 40
    big = [{"role": "user", "content": "I like spicy food and I really do not like heavy oil at all, ever."}]
    rejected = stack.post("/add/message", body(messages=big), api_key=key)
    expect(rejected, 429, 40309, "token quota")
    assert 1 <= int(rejected.headers["Retry-After"]) <= 61
    assert rejected.headers["X-RateLimit-Limit"] == "40"
    quota = stack.post("/add/message", body(messages=[{"role": "user", "content": "ok"}]), api_key=key)
    assert quota.status_code == 200  # the rejected request was not charged: a small one still fits
    with stack.client(key) as c:
        state = c.get("/quota").json()["data"]
    assert state["limit"] == 40 and state["used"] == 40 - int(quota.headers["X-RateLimit-Remaining"])


def test_a_request_larger_than_the_keys_whole_budget_is_40305_not_a_wait(stack):
    key = create_key(stack.redis, unique("quota"), quota_tokens=40)
    huge = [{"role": "user", "content": "I walked along the river every morning this spring with my dog. " * 4}]
    refused = stack.post("/add/message", body(messages=huge), api_key=key)
    expect(refused, 413, 40305, "messages")
    assert "never" in refused.json()["message"] and "Retry-After" not in refused.headers


def test_50131_for_an_unknown_task(stack):
    expect(stack.post("/get/status", {"task_id": "no-such-task"}), 404, 50131, "task_id")


def test_rate_limit_headers_on_every_add(stack):
    response = stack.post("/add/message", body())
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert header in response.headers


def test_fastapi_422_never_reaches_a_client(stack):
    with stack.client() as c:
        response = c.post("/get/memory", json={"user_id": "u", "size": 500})
    expect(response, 400, 40000, "size")


def test_unknown_fields_and_nulls_are_accepted(stack):
    response = stack.post("/add/message", body(source="sdk", allow_public=False, allow_knowledgebase_ids=None,
                                               agent_id=None, tags=None, info=None))
    assert response.status_code == 200 and response.json()["code"] == 0
