"""The Claude extractor through the real anthropic SDK, against a local fake Messages API."""
from __future__ import annotations

from datetime import datetime

import pytest

from memq.errors import ErrorCode, MemqError, TransientError
from memq.settings import Settings
from pipeline.chat_time import BEIJING
from pipeline.extract.claude import ClaudeExtractor
from pipeline.models import Batch, Message
from tests.fake_anthropic import FakeMessagesAPI, error_answer, text_answer, tool_answer

SAID = datetime(2023, 5, 8, 13, 56, tzinfo=BEIJING)
TURNS = [("user", "Caroline: I went to a LGBTQ support group yesterday."),
         ("assistant", "Melanie: That's great! I love pottery."),
         ("user", "Caroline: I really like spicy food.")]


def batch() -> Batch:
    return Batch(task_id="t1", project="p", user_id="u", conversation_id="c1", accepted_at=0.0, tags=["health"],
                 messages=[Message(role=r, content=c, chat_time=SAID, message_index=i)
                           for i, (r, c) in enumerate(TURNS)])


@pytest.fixture
def api():
    with FakeMessagesAPI() as fake:
        yield fake


def extractor(api: FakeMessagesAPI, **kw) -> ClaudeExtractor:
    settings = Settings(anthropic_api_key="sk-test", anthropic_base_url=api.base_url, llm_model="claude-test-model",
                        llm_timeout_seconds=5, **kw)
    return ClaudeExtractor(settings)


GOOD = [
    {"kind": "fact", "text": "Caroline went to a LGBTQ support group on 7 May 2023.", "messages": [0],
     "entities": ["Caroline", "LGBTQ"], "tags": ["community"]},
    {"kind": "preference", "text": "Caroline likes spicy food.", "messages": [2],
     "preference_type": "explicit_preference", "reasoning": "Said so directly.", "slot": "pref:spicy food"},
    {"kind": "fact", "text": "Caroline loves pottery.", "messages": [1]},  # the assistant's words: dropped
]


def test_one_tool_call_per_batch_validated_into_candidates_with_usage(api):
    api.script = [tool_answer(GOOD, input_tokens=321, output_tokens=54)]
    result = extractor(api).extract(batch())
    assert len(api.requests) == 1
    sent = api.requests[0]["body"]
    assert sent["model"] == "claude-test-model" and sent["tool_choice"] == {"type": "tool", "name": "record_memories"}
    assert "[1] (assistant, 2023-05-08 13:56:00) Melanie:" in sent["messages"][0]["content"]
    assert api.requests[0]["api_key"] == "sk-test"
    assert (result.input_tokens, result.output_tokens) == (321, 54)
    assert result.extractor == "claude:claude-test-model"
    facts = [c for c in result.candidates if c.kind == "fact"]
    assert [f.text for f in facts] == ["Caroline went to a LGBTQ support group on 7 May 2023."]
    assert facts[0].sources[0].message_index == 0 and "community" in facts[0].tags
    pref = [c for c in result.candidates if c.kind == "preference"][0]
    assert (pref.preference_type, pref.reasoning, pref.slot) == ("explicit_preference", "Said so directly.",
                                                                 "pref:spicy food")
    # the raw layer is kept whatever the model says
    assert len([c for c in result.candidates if c.kind == "raw"]) == 3


def test_the_turn_before_the_batch_is_context_for_the_model_not_a_source(api):
    api.script = [tool_answer([{"kind": "fact", "text": "Matt Patterson performed at the concert.", "messages": [0]}])]
    reply = Batch(task_id="t2", project="p", user_id="u", conversation_id="c1", accepted_at=0.0,
                  previous_turn="Caroline: " + "So much fun. " * 200 + "Who performed at the concert?",
                  messages=[Message(role="user", content="Melanie: It was Matt Patterson!", chat_time=SAID,
                                    message_index=7)])
    result = extractor(api).extract(reply)
    prompt = api.requests[0]["body"]["messages"][0]["content"]
    before, conversation = prompt.split("Conversation (message number, role, chat_time):")
    assert "Who performed at the concert?" in before and len(before) < 1200  # its end, not all of it
    assert "[0] (user, 2023-05-08 13:56:00) Melanie: It was Matt Patterson!" in conversation
    assert [c.sources[0].message_index for c in result.candidates if c.kind == "fact"] == [7]


@pytest.mark.parametrize("answer, where", [
    (tool_answer([{"kind": "opinion", "text": "x", "messages": [0]}]), "memories.0.kind"),
    (tool_answer({"facts": []}), "memories"),
    (tool_answer([{"kind": "fact", "text": "x", "messages": [7]}]), "memories.0.messages"),
    (text_answer("Sorry, I cannot help with that."), "no record_memories call"),
])
def test_malformed_answer_is_a_failed_extraction_not_nothing_found(api, answer, where):
    api.script = [answer]
    with pytest.raises(MemqError) as err:
        extractor(api).extract(batch())
    assert err.value.code == ErrorCode.EXTRACTION_FAILED and where in err.value.message


def test_rate_limit_is_transient_then_the_retry_succeeds(api):
    api.script = [error_answer(429), tool_answer(GOOD[:1])]
    ex = extractor(api)
    with pytest.raises(TransientError, match="429"):
        ex.extract(batch())
    assert len(api.requests) == 1  # the SDK does not retry by itself: the task layer does
    result = ex.extract(batch())
    assert [c.text for c in result.candidates if c.kind == "fact"] == [GOOD[0]["text"]]


@pytest.mark.parametrize("status, transient", [(500, True), (529, True), (408, True), (400, False), (401, False)])
def test_api_errors_are_classified_by_status(api, status, transient):
    api.script = [error_answer(status, "api_error")]
    with pytest.raises(TransientError if transient else MemqError):
        extractor(api).extract(batch())


def test_timeout_is_transient():
    # a port that accepts nothing in time: a listening socket that never answers
    import socket
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        settings = Settings(anthropic_api_key="k", anthropic_base_url=f"http://127.0.0.1:{silent.getsockname()[1]}",
                            llm_timeout_seconds=0.5)
        with pytest.raises(TransientError):
            ClaudeExtractor(settings).extract(batch())


def test_a_batch_without_user_words_makes_no_call(api):
    only_assistant = batch()
    only_assistant.messages = only_assistant.messages[1:2]
    result = extractor(api).extract(only_assistant)
    assert api.requests == [] and [c.kind for c in result.candidates] == ["raw"]
