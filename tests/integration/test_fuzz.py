"""Property-based check of the whole API surface: whatever JSON a client sends, the answer is
a documented status with the envelope, never a 5xx."""
import json
import uuid

from hypothesis import HealthCheck, given, settings, strategies as st

from api.auth import create_key

DOCUMENTED = {200: {0}, 400: {40000, 40002, 40010, 40011}, 401: {40100, 40132}, 404: {40307, 50131},
              413: {40013, 40305}, 429: {40309}}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
                    st.text(max_size=30))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=10), inner, max_size=4), max_leaves=12)
roles = st.sampled_from(["user", "assistant", "system", "tool", "robot", "", None])
messages = st.lists(st.fixed_dictionaries({"role": roles, "content": st.one_of(st.text(max_size=80), json_values)},
                                          optional={"chat_time": st.one_of(st.text(max_size=25), st.integers(-10, 2**45),
                                                                           json_values),
                                                    "tool_calls": json_values}), max_size=4)
add_bodies = st.fixed_dictionaries({}, optional={
    "user_id": st.one_of(st.text(max_size=120), json_values), "conversation_id": st.one_of(st.text(max_size=120), json_values),
    "messages": st.one_of(messages, json_values), "agent_id": st.one_of(st.text(max_size=10), json_values),
    "tags": st.one_of(st.lists(st.text(max_size=10), max_size=3), json_values), "info": json_values,
    "async_mode": st.one_of(st.booleans(), json_values)})
filters = st.one_of(json_values, st.fixed_dictionaries({"and": st.lists(st.dictionaries(
    st.sampled_from(["agent_id", "tags", "create_time", "scene", "or", "and"]), json_values, max_size=2), max_size=3)}))
query_bodies = st.fixed_dictionaries({"user_id": st.one_of(st.text(max_size=20), json_values),
                                      "query": st.one_of(st.text(max_size=40), json_values)},
                                     optional={"filter": filters, "memory_limit_number": json_values,
                                               "relativity": json_values, "include_preference": json_values})
ENDPOINTS = ["/add/message", "/search/memory", "/get/memory", "/get/status", "/get/message", "/delete/memory",
             "/update/memory"]


def check(response):
    assert response.status_code in DOCUMENTED, (response.status_code, response.text)
    payload = response.json()
    assert payload["code"] in DOCUMENTED[response.status_code], payload
    if payload["code"]:
        assert payload["data"] is None and payload["message"]


def test_fuzz_the_api(stack):
    key = create_key(stack.redis, f"fuzz-{uuid.uuid4().hex[:6]}")  # its own project: deletes touch nothing else
    client = stack.client(key)

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(endpoint=st.sampled_from(ENDPOINTS), body=st.one_of(add_bodies, query_bodies, json_values))
    def run(endpoint, body):
        check(client.post(endpoint, content=json.dumps(body), headers={"Content-Type": "application/json"}))

    run()
    client.close()


def test_openapi_describes_every_endpoint_and_error(stack):
    import httpx
    spec = httpx.get(f"http://127.0.0.1:{stack.port}/openapi.json").json()
    paths = spec["paths"]
    for endpoint in ENDPOINTS + ["/get/memory/{memory_id}", "/quota"]:
        assert f"/api/openmem/v1{endpoint}" in paths
    add = paths["/api/openmem/v1/add/message"]["post"]
    assert {"400", "401", "413", "429", "503"} <= set(add["responses"])
    assert "AddMessageRequest" in json.dumps(add["requestBody"])
