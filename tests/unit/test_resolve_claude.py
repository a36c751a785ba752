"""The Claude resolver through the real anthropic SDK, against a local fake Messages API, on the
real Qdrant Edge store in a temp dir: resolve -> write, as the store worker runs them. The
candidates are built directly (the extractor is not under test) and embedded with the small
deterministic HashEmbedder, so which memories are neighbours is predictable."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from memq.errors import ErrorCode, MemqError, TransientError
from memq.settings import Settings
from pipeline import manage
from pipeline.chat_time import BEIJING, epoch_ms, format_chat_time
from pipeline.extract.claude_resolve import ClaudeResolver, LlmDecisions
from pipeline.models import Batch, Candidate, Message, Source, WritePlan
from pipeline.stages.embed import embed
from pipeline.stages.write import write
from pipeline.stores.edge_store import EdgeVectorStore
from pipeline.stores.graph_store import InMemoryGraphStore
from pipeline.stores.vector_store import Scope
from tests.fake_anthropic import FakeMessagesAPI, error_answer, text_answer, tool_answer
from tests.ports import HashEmbedder

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=BEIJING)


def decided(*decisions: dict, input_tokens: int = 210, output_tokens: int = 30) -> tuple[int, dict]:
    return tool_answer({"decisions": list(decisions)}, input_tokens, output_tokens, name="resolve_memories")


class Memory:
    """One user's memories; `say` runs one batch of candidates through the Claude resolver."""

    def __init__(self, path, api: FakeMessagesAPI):
        self.store = EdgeVectorStore(path, dim=384)
        self.graphs = InMemoryGraphStore()
        self.resolver = ClaudeResolver(Settings(anthropic_api_key="sk-test", anthropic_base_url=api.base_url,
                                                llm_model="claude-test-model", llm_timeout_seconds=5))
        self.n = 0

    def batch(self, *memories: tuple[str, str] | tuple[str, str, str], days: int = 0):
        """(kind, text[, slot]) candidates said `days` after T0, each with its raw message."""
        self.n += 1
        said = T0 + timedelta(days=days)
        batch = Batch(task_id=f"t{self.n}", project="p", user_id="u", conversation_id=f"c{self.n}", accepted_at=0.0,
                      messages=[Message(role="user", content=m[1], message_index=i, chat_time=said)
                                for i, m in enumerate(memories)])
        candidates = []
        for i, (kind, text, *slot) in enumerate(memories):
            source = [Source(conversation_id=f"c{self.n}", message_index=i, role="user",
                             chat_time=format_chat_time(said), content=text)]
            candidates.append(Candidate(kind=kind, text=text, sources=source, said_at=epoch_ms(said),
                                        slot=slot[0] if slot else None))
            candidates.append(Candidate(kind="raw", text=f"user: {text}", sources=source, said_at=epoch_ms(said)))
        return batch, embed(candidates, HashEmbedder()), int(said.timestamp() * 1000)

    def say(self, *memories, days: int = 0) -> WritePlan:
        batch, embedded, now = self.batch(*memories, days=days)
        plan = self.resolver.resolve(batch, embedded, self.store, now)
        write(batch, plan, self.store, self.graphs, now)
        return plan

    def everything(self) -> dict:
        return {m.text: m for m in self.store.scan(Scope("p", "u", kinds=("fact", "preference"),
                                                         include_archived=True))}

    def current(self) -> list[str]:
        return sorted(m.text for m in self.store.scan(Scope("p", "u", kinds=("fact", "preference"))))


@pytest.fixture
def api():
    with FakeMessagesAPI() as fake:
        yield fake


@pytest.fixture
def memory(tmp_path, api):
    m = Memory(tmp_path / "qdrant", api)
    yield m
    m.store.close()


def prompt(api: FakeMessagesAPI, n: int = -1) -> str:
    return api.requests[n]["body"]["messages"][0]["content"]


def test_no_neighbour_no_call_and_the_memories_are_added(memory, api):
    plan = memory.say(("fact", "The user lives in Beijing.", "residence"), ("fact", "The user plays the cello."))
    assert api.requests == []
    assert (plan.input_tokens, plan.output_tokens) == (0, 0)
    assert memory.current() == ["The user lives in Beijing.", "The user plays the cello."]


def test_duplicate_is_merged_its_sources_added_no_second_copy(memory, api):
    memory.say(("fact", "The user adopted a golden retriever named Max from the shelter."))
    api.script = [decided({"new": 1, "action": "duplicate", "existing": ["E1"]}, input_tokens=250, output_tokens=20)]
    plan = memory.say(("fact", "The user adopted Max, a golden retriever, from the shelter downtown."), days=3)
    assert len(api.requests) == 1 and (plan.input_tokens, plan.output_tokens) == (250, 20)
    facts = memory.everything()
    assert list(facts) == ["The user adopted a golden retriever named Max from the shelter."]
    assert sorted(s.conversation_id for s in facts["The user adopted a golden retriever named Max from the shelter."]
                  .sources) == ["c1", "c2"]


def test_the_batchs_stored_memories_are_read_once_for_the_judge_and_the_rules(memory, api, monkeypatch):
    memory.say(("fact", "The user adopted a golden retriever named Max from the shelter."))
    reads = []
    real_get = memory.store.get
    monkeypatch.setattr(memory.store, "get", lambda ids: reads.append(list(ids)) or real_get(ids))
    api.script = [decided({"new": 1, "action": "duplicate", "existing": ["E1"]})]
    batch, embedded, now = memory.batch(("fact", "The user adopted Max, a golden retriever, from the shelter."), days=3)
    plan = memory.resolver.resolve(batch, embedded, memory.store, now)
    assert len(reads) == 1, reads  # the candidates' ids, read once (they were read twice)
    assert len(plan.merge) == 1  # and the judge's duplicate still merges


def test_update_archives_the_old_memory_with_valid_to_and_superseded_by(memory, api):
    memory.say(("fact", "The user lives in Beijing with their wife.", "residence"))
    api.script = [decided({"new": 1, "action": "update", "existing": ["E1"]})]
    memory.say(("fact", "The user moved to Shanghai in March 2024.", "residence"), days=40)
    facts = memory.everything()
    old, new = facts["The user lives in Beijing with their wife."], facts["The user moved to Shanghai in March 2024."]
    assert (old.status, old.superseded_by, new.status) == ("archived", new.id, "activated")
    assert old.valid_to == int((T0 + timedelta(days=40)).timestamp() * 1000)
    assert new.supersedes == [old.id]
    assert memory.current() == ["The user moved to Shanghai in March 2024."]
    shown = manage.get_memory(memory.store, "p", new.id)
    assert [h["memory_value"] for h in shown["history"]] == [old.text]


def test_update_said_before_the_memory_it_supersedes_does_not_make_the_older_current(memory, api):
    # batches resolved out of order: the move to Shanghai (day 40) is stored before Beijing (day 0)
    memory.say(("fact", "The user moved to Shanghai.", "residence"), days=40)
    api.script = [decided({"new": 1, "action": "update", "existing": ["E1"]})]
    memory.say(("fact", "The user lives in Beijing.", "residence"), days=0)
    assert "1 (fact, 2024-03-01 10:00:00) The user lives in Beijing.\n   like: E1" in prompt(api)
    facts = memory.everything()
    old, new = facts["The user lives in Beijing."], facts["The user moved to Shanghai."]
    assert (old.status, old.superseded_by, new.status) == ("archived", new.id, "activated")
    assert old.valid_to == int((T0 + timedelta(days=40)).timestamp() * 1000)
    assert new.supersedes == [old.id]
    assert memory.current() == ["The user moved to Shanghai."]
    shown = manage.get_memory(memory.store, "p", new.id)
    assert [h["memory_value"] for h in shown["history"]] == [old.text]


def test_contradiction_the_rules_cannot_see_is_archived_on_the_model_word(memory, api):
    # no slot and different words: the offline rules would keep both; the model says it is out of date
    memory.say(("fact", "The user eats meat every day."))
    api.script = [decided({"new": 1, "action": "update", "existing": ["E1"]})]
    memory.say(("fact", "The user no longer eats meat."), days=30)
    assert memory.current() == ["The user no longer eats meat."]
    assert memory.everything()["The user eats meat every day."].status == "archived"


def test_plain_add_keeps_the_neighbour_current(memory, api):
    memory.say(("fact", "The user lives in Beijing."))
    api.script = [decided({"new": 1, "action": "add"})]
    plan = memory.say(("fact", "The user lives in Beijing near the Summer Palace."), days=2)
    assert len(api.requests) == 1 and plan.archive == {} and plan.merge == {}
    assert memory.current() == ["The user lives in Beijing near the Summer Palace.", "The user lives in Beijing."]


def test_skip_writes_nothing_but_the_raw_message(memory, api):
    memory.say(("fact", "The user adopted a golden retriever named Max."))
    api.script = [decided({"new": 1, "action": "skip"})]
    plan = memory.say(("fact", "The user adopted a golden retriever."), days=1)
    assert [m.kind for m in plan.add] == ["raw"]
    assert memory.current() == ["The user adopted a golden retriever named Max."]


def test_one_call_for_the_batch_listing_small_ids_never_uuids(memory, api):
    memory.say(("fact", "The user lives in Beijing.", "residence"), ("preference", "The user likes jazz music."))
    stored = memory.everything()
    api.script = [decided({"new": 1, "action": "update", "existing": ["E1"]}, {"new": 2, "action": "add"})]
    memory.say(("fact", "The user moved to Shanghai.", "residence"), ("preference", "The user likes jazz piano music."),
               ("fact", "The user bought a red bicycle."), days=10)
    assert len(api.requests) == 1
    body = api.requests[0]["body"]
    assert body["model"] == "claude-test-model"
    assert body["tool_choice"] == {"type": "tool", "name": "resolve_memories"}
    assert body["tools"][0]["input_schema"] == LlmDecisions.model_json_schema()
    text = prompt(api)
    assert "E1 (fact, 2024-03-01 10:00:00) The user lives in Beijing." in text
    assert "E2 (preference, 2024-03-01 10:00:00) The user likes jazz music." in text
    assert "1 (fact, 2024-03-11 10:00:00) The user moved to Shanghai.\n   like: E1" in text
    assert "2 (preference, 2024-03-11 10:00:00) The user likes jazz piano music.\n   like: E2" in text
    # the bicycle has no neighbour, the raw messages are never judged: neither is sent
    assert "bicycle" not in text and "user: " not in text
    assert not any(m.id in json.dumps(body) for m in stored.values())
    assert memory.current() == ["The user bought a red bicycle.", "The user likes jazz music.",
                                "The user likes jazz piano music.", "The user moved to Shanghai."]


@pytest.mark.parametrize("answer, where", [
    (decided({"new": 1, "action": "duplicate", "existing": ["E9"]}), "decisions.0.existing: no existing memory E9"),
    (decided({"new": 4, "action": "add"}), "decisions.0.new: no new memory 4"),
    (decided({"new": 1, "action": "update", "existing": ["7f3e0c9a-5b1d-5e8f-9a2b-0c4d6e8f1a3b"]}),
     "no existing memory 7f3e0c9a"),
    (decided({"new": 1, "action": "duplicate", "existing": []}), "decisions.0"),
    (decided({"new": 1, "action": "merge", "existing": ["E1"]}), "decisions.0.action"),
    (decided(), "no decision for new memory 1"),
    (decided({"new": 1, "action": "add"}, {"new": 1, "action": "skip"}), "new memory 1 decided twice"),
    (tool_answer([{"kind": "fact"}]), "no resolve_memories call"),
    (text_answer("They look the same to me."), "no resolve_memories call"),
])
def test_malformed_answer_or_unknown_id_fails_the_stage_with_its_reason(memory, api, answer, where):
    memory.say(("fact", "The user lives in Beijing.", "residence"))
    api.script = [answer]
    batch, embedded, now = memory.batch(("fact", "The user moved to Shanghai.", "residence"), days=10)
    with pytest.raises(MemqError) as err:
        memory.resolver.resolve(batch, embedded, memory.store, now)
    assert err.value.code == ErrorCode.EXTRACTION_FAILED == 50142
    assert "malformed Claude answer" in err.value.message and where in err.value.message


@pytest.mark.parametrize("status", [529, 500, 429])
def test_overloaded_or_server_error_is_transient_and_the_retry_applies_the_decision(memory, api, status):
    memory.say(("fact", "The user lives in Beijing.", "residence"))
    api.script = [error_answer(status, "overloaded_error"), decided({"new": 1, "action": "update", "existing": ["E1"]})]
    batch, embedded, now = memory.batch(("fact", "The user moved to Shanghai.", "residence"), days=10)
    with pytest.raises(TransientError, match=str(status)):
        memory.resolver.resolve(batch, embedded, memory.store, now)
    assert len(api.requests) == 1  # the SDK does not retry by itself: the task layer does
    plan = memory.resolver.resolve(batch, embedded, memory.store, now)
    write(batch, plan, memory.store, memory.graphs, now)
    assert memory.current() == ["The user moved to Shanghai."]
