"""The Add Message doc's Quick Start, in its three forms (requests, the SDK, curl), against the
real stack; then the memory it produces is found by search, with its sources."""
import json
import os
import subprocess

import requests

from memq.client import MemOSClient
from tests.stack import unique

DOC_MESSAGES = [
    {"role": "user", "content": "I have booked a summer trip to Guangzhou. Which hotel chains are available?"},
    {"role": "assistant", "content": "You can consider 7 Days Inn, Ji Hotel, Hilton, and others."},
    {"role": "user", "content": "I choose 7 Days Inn."},
    {"role": "assistant", "content": "Got it. Feel free to ask if you have other questions."},
]


def assert_hotel_memory_found(stack, user_id):
    found = stack.search(user_id, "Which hotel did I choose?")
    facts = [m for m in found["memory_detail_list"] if m["memory_type"] == "LongTermMemory"]
    hotel = [m for m in facts if "7 Days Inn" in m["memory_value"] and "Guangzhou" in m["memory_value"]]
    assert hotel, [m["memory_value"] for m in found["memory_detail_list"]]
    memory = hotel[0]
    cited = {s["message_index"] for s in memory["sources"]}
    assert {0, 2} <= cited, memory["sources"]
    assert all(s["conversation_id"] == "0610" for s in memory["sources"])
    assert memory["sources"][0]["content"] == DOC_MESSAGES[0]["content"]
    assert memory["status"] == "activated" and isinstance(memory["create_time"], int)
    return memory


def test_requests_form(stack):
    user_id = unique("memos_user")
    data = {"user_id": user_id, "conversation_id": "0610", "messages": DOC_MESSAGES}
    res = requests.post(f"{stack.base_url}/add/message", headers={"Authorization": f"Token {stack.api_key}"},
                        json=data, timeout=30)
    body = res.json()
    assert res.status_code == 200 and body["code"] == 0 and body["message"] == "ok"
    assert body["data"]["success"] is True and body["data"]["status"] == "running"
    done = stack.wait_task(body["data"]["task_id"])
    assert done["status"] == "completed"
    assert done["memory_views"]["added"] >= 1
    assert set(done["stages"]) == {"extract", "embed", "resolve", "write"}
    memory = assert_hotel_memory_found(stack, user_id)
    assert memory["id"] in done["memory_views"]["memory_ids"]["added"]


def test_sdk_form(stack):
    user_id = unique("memos_user")
    client = MemOSClient(api_key=stack.api_key, base_url=stack.base_url)
    res = client.add_message(messages=DOC_MESSAGES, user_id=user_id, conversation_id="0610")
    assert res.code == 0 and res.data.success and res.data.status == "running"
    assert client.wait_for_task(res.data.task_id).status == "completed"
    assert client.get_task_status(res.data.task_id).data.memory_views["added"] >= 1
    hits = client.search_memory(query="Which hotel did I choose?", user_id=user_id, conversation_id="0610")
    assert any("7 Days Inn" in m["memory_value"] for m in hits.data.memory_detail_list)
    history = client.get_message(user_id=user_id, conversation_id="0610", message_limit_number=10)
    assert [m["content"] for m in history.data.message_detail_list] == [m["content"] for m in DOC_MESSAGES]


def test_curl_form(stack):
    user_id = unique("memos_user")
    payload = json.dumps({"user_id": user_id, "conversation_id": "0610", "messages": DOC_MESSAGES})
    env = {**os.environ, "MEMOS_API_KEY": stack.api_key, "MEMOS_BASE_URL": stack.base_url}
    out = subprocess.run(["bash", "-c", 'curl -s "$MEMOS_BASE_URL/add/message" -H "Authorization: Token $MEMOS_API_KEY" '
                          f'-H "Content-Type: application/json" -d \'{payload}\''],
                         env=env, capture_output=True, text=True, check=True).stdout
    body = json.loads(out)
    assert body["code"] == 0
    assert stack.wait_task(body["data"]["task_id"])["status"] == "completed"
    assert_hotel_memory_found(stack, user_id)


def test_get_message_returns_raw_history_oldest_first_with_limit(stack):
    user_id = unique()
    stack.add(user_id, DOC_MESSAGES[:2], conversation_id="c-hist", wait=False)
    stack.add(user_id, DOC_MESSAGES[2:], conversation_id="c-hist", wait=False)
    all_msgs = stack.post("/get/message", {"user_id": user_id, "conversation_id": "c-hist",
                                           "message_limit_number": 50}).json()["data"]["message_detail_list"]
    assert [m["content"] for m in all_msgs] == [m["content"] for m in DOC_MESSAGES]
    assert [m["message_index"] for m in all_msgs] == [0, 1, 2, 3]
    last_two = stack.post("/get/message", {"user_id": user_id, "conversation_id": "c-hist",
                                           "message_limit_number": 2}).json()["data"]["message_detail_list"]
    assert [m["content"] for m in last_two] == [m["content"] for m in DOC_MESSAGES[2:]]


def test_health_reports_every_part(stack):
    health = requests.get(f"http://127.0.0.1:{stack.port}/health", timeout=5).json()
    assert health["status"] == "ok"
    assert health["checks"]["redis"] == "ok"
    assert health["checks"]["ingest_workers"] >= 1 and health["checks"]["store_workers"] >= 1
