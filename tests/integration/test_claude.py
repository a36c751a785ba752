"""Claude in the real stack: with ANTHROPIC_API_KEY set, the ingest worker calls the Messages
API (here a local fake, through the real anthropic SDK) to extract, and the store worker calls
it to resolve conflicts; the tokens are recorded on the task, a 429 or 529 is retried through the
task layer, and a malformed answer fails the task."""
from __future__ import annotations

import pytest

from tests.fake_anthropic import FakeMessagesAPI, error_answer, text_answer, tool_answer
from tests.stack import new_stack, unique

pytestmark = pytest.mark.integration

TURN = [{"role": "user", "content": "I adopted a puppy named Biscuit yesterday.", "chat_time": "2024-05-02 10:00:00"}]
MEMORY = [{"kind": "fact", "text": "The user adopted a puppy named Biscuit on 1 May 2024.", "messages": [0],
           "entities": ["Biscuit"]}]


@pytest.fixture(scope="module")
def claude_stack(tmp_path_factory):
    with FakeMessagesAPI() as api:
        stack = new_stack(tmp_path_factory.mktemp("claude")).start(extra_env={
            "ANTHROPIC_API_KEY": "sk-fake", "ANTHROPIC_BASE_URL": api.base_url, "MEMQ_LLM_MODEL": "claude-fake-1"})
        try:
            yield stack, api
        finally:
            stack.stop()


def test_extraction_by_claude_records_tokens_and_the_fact_is_searchable(claude_stack):
    stack, api = claude_stack
    api.script = [tool_answer(MEMORY, input_tokens=400, output_tokens=60)]
    user = unique()
    done = stack.add(user, TURN)
    assert done["tokens"] == {"input": 400, "output": 60}
    assert api.requests[-1]["body"]["model"] == "claude-fake-1"
    found = stack.search(user, "What is the puppy called?")
    assert "The user adopted a puppy named Biscuit on 1 May 2024." in [m["memory_value"] for m in found["memory_detail_list"]]


def test_rate_limited_call_is_retried_by_the_task_layer(claude_stack):
    stack, api = claude_stack
    api.script = [error_answer(429), tool_answer(MEMORY)]
    done = stack.add(unique(), TURN)
    assert done["status"] == "completed" and done["stages"]["extract"]["attempts"] == 2


def test_malformed_answer_fails_the_task_with_its_reason(claude_stack):
    stack, api = claude_stack
    api.script = [text_answer("I'd rather not.")]
    data = stack.add(unique(), TURN, wait=False)
    status = stack.wait_task(data["task_id"])
    assert status["status"] == "failed" and status["error"]["code"] == 50142
    assert "malformed Claude answer" in status["error"]["message"]


def test_an_update_decided_by_claude_archives_the_old_memory(claude_stack):
    stack, api = claude_stack
    user = unique()
    api.script = [tool_answer([{"kind": "fact", "text": "The user lives in Beijing.", "messages": [0],
                                "slot": "residence"}], input_tokens=100, output_tokens=10)]
    first = stack.add(user, [{"role": "user", "content": "I live in Beijing.", "chat_time": "2024-03-01 10:00:00"}])
    calls = len(api.requests)
    assert first["tokens"] == {"input": 100, "output": 10}  # no neighbour yet: no resolve call
    api.script = [
        tool_answer([{"kind": "fact", "text": "The user moved to Shanghai in March 2024.", "messages": [0],
                      "slot": "residence"}], input_tokens=400, output_tokens=60),
        error_answer(529, "overloaded_error"),
        tool_answer({"decisions": [{"new": 1, "action": "update", "existing": ["E1"]}]}, input_tokens=210,
                    output_tokens=30, name="resolve_memories")]
    done = stack.add(user, [{"role": "user", "content": "I moved to Shanghai last month.",
                             "chat_time": "2024-04-10 10:00:00"}], conversation_id="c2")
    assert len(api.requests) == calls + 3 and done["stages"]["resolve"]["attempts"] == 2
    assert done["tokens"] == {"input": 610, "output": 90}
    asked = api.requests[-1]["body"]["messages"][0]["content"]
    assert "E1 (fact, 2024-03-01 10:00:00) The user lives in Beijing." in asked and "like: E1" in asked

    [new_id] = done["memory_views"]["memory_ids"]["added"]
    shown = stack.client().get(f"/get/memory/{new_id}").json()["data"]
    assert [(h["memory_value"], h["status"], h["superseded_by"]) for h in shown["history"]] == [
        ("The user lives in Beijing.", "archived", new_id)]
    found = stack.search(user, "Where does the user live?")
    texts = [m["memory_value"] for m in found["memory_detail_list"]]
    assert "The user moved to Shanghai in March 2024." in texts and "The user lives in Beijing." not in texts
