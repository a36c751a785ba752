"""The Claude extractor in the real stack: with ANTHROPIC_API_KEY set, the ingest worker calls
the Messages API (here a local fake, through the real anthropic SDK), records the tokens on the
task, retries a 429 through the task layer, and fails the task on a malformed answer."""
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
