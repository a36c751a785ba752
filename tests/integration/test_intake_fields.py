"""Every add/message field is accepted and visible on the memories derived from the request;
idempotency; async_mode=false; project isolation."""
import time

from api.auth import create_key
from tests.stack import unique
from tests.traffic import in_one_quota_window


def facts(stack, user_id, api_key=None, **extra):
    data = stack.post("/get/memory", {"user_id": user_id, "size": 50, **extra}, api_key=api_key).json()
    assert data["code"] == 0, data
    return data["data"]


def test_fields_are_stored_on_the_memories(stack):
    user_id = unique()
    done = stack.add(user_id, [
        {"role": "system", "content": "You are a health assistant."},
        {"role": "user", "content": [{"type": "text", "text": "I ran 5 kilometers today and my knee feels a bit sore."},
                                     {"type": "image_url", "image_url": {"url": "http://x/y.png"}}],
         "chat_time": "2025-09-12T08:00:00+08:00"},
        {"role": "assistant", "content": "I suggest lowering the intensity tomorrow.", "chat_time": 1757635260},
    ], conversation_id="0610", agent_id="health_assistant", app_id="fit-app",
        tags=["exercise advice", "fitness planning"], info={"scene": "running", "priority": 2, "labels": ["a", "b"]})
    assert done["memory_views"]["added"] >= 1
    memories = facts(stack, user_id)["memory_detail_list"]
    ran = [m for m in memories if "5 kilometers" in m["memory_value"]]
    assert ran, memories
    memory = ran[0]
    assert memory["agent_id"] == "health_assistant" and memory["app_id"] == "fit-app"
    assert memory["info"] == {"scene": "running", "priority": 2, "labels": ["a", "b"]}
    assert memory["conversation_id"] == "0610"
    assert "12 September 2025" in memory["memory_value"]  # "today", resolved against chat_time
    source = memory["sources"][0]
    assert source["message_index"] == 1 and source["role"] == "user"
    assert source["chat_time"] == "2025-09-12 08:00:00"
    assert source["content"].startswith("I ran 5 kilometers today")
    messages = stack.post("/get/message", {"user_id": user_id, "conversation_id": "0610",
                                           "message_limit_number": 10}).json()["data"]["message_detail_list"]
    assert [m["chat_time"] for m in messages[1:]] == ["2025-09-12 08:00:00", "2025-09-12 08:01:00"]
    assert messages[0]["role"] == "system"


def test_chat_time_formats_and_beijing_default(stack):
    user_id = unique()
    times = ["2025-09-12 08:00:00", "2025-09-12T00:00:00Z", "2025-09-12T08:00:00", 1757635200, 1757635200000,
             "1757635200"]
    stack.add(user_id, [{"role": "user", "content": f"note {i}", "chat_time": t} for i, t in enumerate(times)]
              + [{"role": "user", "content": "no time given"}], conversation_id="times", wait=False)
    got = stack.post("/get/message", {"user_id": user_id, "conversation_id": "times",
                                      "message_limit_number": 10}).json()["data"]["message_detail_list"]
    assert [m["chat_time"] for m in got[:6]] == ["2025-09-12 08:00:00"] * 6  # all the same instant, Beijing
    now_beijing = time.strftime("%Y-%m-%d %H", time.gmtime(time.time() + 8 * 3600))
    assert got[6]["chat_time"].startswith(now_beijing)


def test_tool_calls_become_tool_memories(stack):
    user_id = unique()
    stack.add(user_id, [
        {"role": "user", "content": "What's the weather in Beijing?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "get_weather", "arguments": "{\"city\": \"Beijing\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp\": 21, \"sky\": \"clear\"}"},
        {"role": "assistant", "content": "It is 21 degrees and clear in Beijing."},
    ])
    tools = facts(stack, user_id, include_tool_memory=True)["tool_memory_detail_list"]
    kinds = {m["tool_type"] for m in tools}
    assert kinds == {"ToolSchemaMemory", "ToolTrajectoryMemory"}, tools
    trajectory = [m for m in tools if m["tool_type"] == "ToolTrajectoryMemory"][0]
    assert trajectory["tool_used_status"] == "success" and "get_weather" in trajectory["tool_value"]


def test_async_mode_false_answers_when_stored(stack):
    user_id = unique()
    response = stack.post("/add/message", {"user_id": user_id, "conversation_id": "sync", "async_mode": False,
                                           "messages": [{"role": "user", "content": "I live in Hangzhou."}]})
    data = response.json()["data"]
    assert response.status_code == 200 and data["status"] == "completed"
    assert data["memory_views"]["added"] >= 1
    stored = {m["id"] for m in facts(stack, user_id)["memory_detail_list"]}
    assert set(data["memory_views"]["memory_ids"]["added"]) & stored


def test_idempotency_key_returns_the_original_task_and_writes_nothing_new(stack):
    in_one_quota_window(40)  # both answers' remaining quota must be read in one window
    user_id = unique()
    body = {"user_id": user_id, "conversation_id": "idem", "messages": [{"role": "user", "content": "I own a red bike."}]}
    with stack.client() as c:
        first = c.post("/add/message", json=body, headers={"Idempotency-Key": f"k-{user_id}"})
        stack.wait_task(first.json()["data"]["task_id"])
        second = c.post("/add/message", json=body, headers={"Idempotency-Key": f"k-{user_id}"})
    assert second.json()["data"]["task_id"] == first.json()["data"]["task_id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["X-RateLimit-Remaining"] == first.headers["X-RateLimit-Remaining"]  # not charged again
    messages = stack.post("/get/message", {"user_id": user_id, "conversation_id": "idem"}).json()["data"]
    assert len(messages["message_detail_list"]) == 1


def test_a_replay_without_key_dedupes_against_existing_memories(stack):
    user_id = unique()
    messages = [{"role": "user", "content": "I adopted a cat named Miso.", "chat_time": "2025-01-02 10:00:00"}]
    first = stack.add(user_id, messages, conversation_id="replay")
    again = stack.add(user_id, messages, conversation_id="replay")
    assert first["memory_views"]["added"] >= 1
    assert again["memory_views"]["added"] == 0
    values = [m["memory_value"] for m in facts(stack, user_id)["memory_detail_list"]]
    assert len(values) == len(set(values)) == first["memory_views"]["added"]


def test_projects_are_isolated_even_with_the_same_user_id(stack):
    user_id = unique("shared-user")
    key_a, key_b = create_key(stack.redis, "project-a"), create_key(stack.redis, "project-b")
    done = stack.add(user_id, [{"role": "user", "content": "My passport number ends in 4471."}], api_key=key_a)
    task_a = done["task_id"]
    memory_id = done["memory_views"]["memory_ids"]["added"][0]
    assert stack.search(user_id, "passport number", api_key=key_b)["memory_detail_list"] == []
    assert facts(stack, user_id, api_key=key_b)["total"] == 0
    assert stack.post("/get/status", {"task_id": task_a}, api_key=key_b).json()["code"] == 50131
    assert stack.post("/get/message", {"user_id": user_id, "conversation_id": "c1"},
                      api_key=key_b).json()["data"]["message_detail_list"] == []
    with stack.client(key_b) as c:
        assert c.get(f"/get/memory/{memory_id}").json()["code"] == 40307
    deleted = stack.post("/delete/memory", {"memory_ids": [memory_id]}, api_key=key_b).json()
    assert deleted["code"] == 40307  # in project B that memory does not exist
    stack.post("/delete/memory", {"user_id": user_id}, api_key=key_b)
    still = stack.search(user_id, "passport number", api_key=key_a)["memory_detail_list"]
    assert any("4471" in m["memory_value"] for m in still)
