"""Splitting a conversation at the request limits (40013 messages/characters, 40305 tokens),
checked against the server's own check_limits with the same limits."""
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from api.intake import check_limits
from api.schemas import AddMessageRequest
from memq.errors import MemqError
from memq.import_split import Limits, chunk_conversation, split_messages
from memq.settings import get_settings


def msgs(*contents):
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": c, "chat_time": f"2024-01-01 10:00:{i:02d}"}
            for i, c in enumerate(contents)]


@pytest.fixture
def server_limits(monkeypatch):
    """Make the server's check_limits use the limits under test."""
    def apply(limits: Limits):
        monkeypatch.setenv("MEMQ_MAX_MESSAGES", str(limits.max_messages))
        monkeypatch.setenv("MEMQ_MAX_CONTENT_CHARS", str(limits.max_content_chars))
        monkeypatch.setenv("MEMQ_MAX_REQUEST_TOKENS", str(limits.max_request_tokens))
        get_settings.cache_clear()
    yield apply
    get_settings.cache_clear()


def accepted_by_server(group):
    return check_limits(AddMessageRequest(user_id="u", conversation_id="c", messages=group))


def test_split_at_max_messages():
    groups = split_messages(msgs(*"abcdefg"), Limits(max_messages=3, max_content_chars=10**6, max_request_tokens=10**6))
    assert [len(g) for g in groups] == [3, 3, 1]


def test_split_at_content_chars():
    groups = split_messages(msgs("x" * 10, "y" * 10, "z" * 10, "w" * 5),
                            Limits(max_messages=500, max_content_chars=25, max_request_tokens=10**6))
    assert [[m["content"][0] for m in g] for g in groups] == [["x", "y"], ["z", "w"]]


def test_split_at_tokens_counts_like_the_server():
    # 40 ASCII characters are 10 tokens plus 4 of framing: two messages make 28 tokens.
    groups = split_messages(msgs(*["a" * 40] * 5), Limits(max_messages=500, max_content_chars=10**6,
                                                          max_request_tokens=30))
    assert [len(g) for g in groups] == [2, 2, 1]
    # CJK characters are one token each: 20 of them + 4 = 24 tokens, one message per request.
    cjk = split_messages(msgs("你" * 20, "好" * 20), Limits(500, 10**6, 30))
    assert [len(g) for g in cjk] == [1, 1]


def test_a_message_is_never_cut_and_order_and_chat_time_are_kept():
    original = msgs("short", "x" * 100, "tail one", "tail two")
    groups = split_messages(original, Limits(max_messages=500, max_content_chars=20, max_request_tokens=10**6))
    assert [m for g in groups for m in g] == original  # same objects, same order, chat_time untouched
    assert groups[1] == [original[1]]  # the oversized one travels alone, whole
    assert all(m["content"] == o["content"] for m, o in zip([m for g in groups for m in g], original))


def test_text_parts_are_counted_like_plain_text():
    parts = [{"role": "user", "content": [{"type": "text", "text": "a" * 30}, {"type": "image_url", "image_url": {}}]}]
    groups = split_messages(parts * 3, Limits(max_messages=500, max_content_chars=60, max_request_tokens=10**6))
    assert [len(g) for g in groups] == [2, 1]


contents = st.text(alphabet=st.sampled_from(list("abc xyz.") + ["你", "好", "ア"]), min_size=1, max_size=60).filter(str.strip)


# The fixture only sets the environment, and every example sets it again itself.
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(contents, min_size=1, max_size=30), max_messages=st.integers(1, 8),
       max_chars=st.integers(60, 200), max_tokens=st.integers(70, 200))
def test_every_chunk_passes_the_server_check_and_each_split_was_needed(server_limits, texts, max_messages,
                                                                       max_chars, max_tokens):
    limits = Limits(max_messages, max_chars, max_tokens)
    server_limits(limits)
    original = msgs(*texts)
    chunks = chunk_conversation({"user_id": "u", "conversation_id": "c"}, original, limits)
    assert [m for c in chunks for m in c.body["messages"]] == original
    assert [c.start for c in chunks] == [sum(c.size for c in chunks[:i]) for i in range(len(chunks))]
    for chunk, following in zip(chunks, chunks[1:] + [None]):
        assert accepted_by_server(chunk.body["messages"]) == chunk.tokens
        if following is not None:  # greedy: the next message would not have fitted
            with pytest.raises(MemqError) as refused:
                accepted_by_server(chunk.body["messages"] + following.body["messages"][:1])
            assert refused.value.code in (40013, 40305)


def test_idempotency_keys_are_deterministic_and_distinct():
    limits = Limits(max_messages=2, max_content_chars=10**6, max_request_tokens=10**6)
    header = {"user_id": "u", "conversation_id": "c"}
    first = chunk_conversation(header, msgs("a", "b", "a", "b"), limits)
    again = chunk_conversation(header, msgs("a", "b", "a", "b"), limits)
    assert [c.key for c in first] == [c.key for c in again]
    # Same messages at another position in the conversation: another request, another key.
    assert first[0].key != first[1].key
    changed = chunk_conversation(header, msgs("a", "b", "a", "B"), limits)
    assert changed[0].key == first[0].key and changed[1].key != first[1].key
    other_user = chunk_conversation({**header, "user_id": "v"}, msgs("a", "b"), limits)
    assert other_user[0].key != first[0].key
