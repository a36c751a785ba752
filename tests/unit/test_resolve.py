"""Dedupe and conflict resolution, run as the pipeline runs them (extract -> embed -> resolve ->
write) on the real Qdrant Edge store in a temp dir. The embedder is a small deterministic one
(hashed bag of words), so similarities are predictable and no model loads."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pipeline import manage
from pipeline.chat_time import BEIJING
from pipeline.extract.offline import OfflineExtractor
from pipeline.models import Batch, Message
from pipeline.stages.embed import embed
from pipeline.stages.extract import extract
from pipeline.stages.resolve import resolve, same_content
from pipeline.stages.write import write
from pipeline.stores.edge_store import EdgeVectorStore
from pipeline.stores.vector_store import Scope
from pipeline.stores.graph_store import InMemoryGraphStore as InMemoryGraphs
from tests.ports import HashEmbedder

DIM = 384
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=BEIJING)


class Memory:
    def __init__(self, path):
        self.store = EdgeVectorStore(path, dim=DIM)
        self.graphs = InMemoryGraphs()
        self.n = 0

    def say(self, *texts: str, days: int = 0, role: str = "user"):
        """One add/message of the user's sentences, `days` after T0; returns the write's views."""
        self.n += 1
        batch = Batch(task_id=f"t{self.n}", project="p", user_id="u", conversation_id=f"c{self.n}",
                      accepted_at=0.0, messages=[Message(role=role, content=t, message_index=i,
                                                         chat_time=T0 + timedelta(days=days))
                                                 for i, t in enumerate(texts)])
        embedded = embed(extract(batch, OfflineExtractor()).candidates, HashEmbedder())
        now = int((T0 + timedelta(days=days)).timestamp() * 1000)
        return write(batch, resolve(batch, embedded, self.store, now), self.store, self.graphs, now)

    def current(self, kind: str) -> list[str]:
        return sorted(m.text for m in self.store.scan(Scope("p", "u", kinds=(kind,))))

    def everything(self, kind: str):
        return {m.text: m for m in self.store.scan(Scope("p", "u", kinds=(kind,), include_archived=True))}


@pytest.fixture
def memory(tmp_path):
    m = Memory(tmp_path / "qdrant")
    yield m
    m.store.close()


def test_exact_duplicate_adds_sources_not_a_copy(memory):
    memory.say("I adopted a golden retriever named Max from the shelter downtown.")
    views = memory.say("I adopted a golden retriever named Max from the shelter downtown.")
    facts = memory.everything("fact")
    assert len(facts) == 1 and views.added == 0 and views.updated == 1
    assert sorted(s.conversation_id for s in next(iter(facts.values())).sources) == ["c1", "c2"]


def test_near_duplicate_is_merged(memory):
    memory.say("I adopted a golden retriever named Max from the animal shelter downtown last spring.")
    memory.say("I adopted a golden retriever named Max from the animal shelter downtown last spring too.")
    facts = memory.current("fact")
    assert len(facts) == 1, facts
    assert len(next(iter(memory.everything("fact").values())).sources) == 2


def test_paraphrase_with_other_names_numbers_or_polarity_is_not_a_duplicate():
    assert same_content("Caroline lives in Beijing (8 May 2023).", "Caroline lives in Beijing (9 June 2023).")
    assert not same_content("Caroline lives in Beijing.", "Caroline lives in Shanghai.")
    assert not same_content("The user has 2 cats.", "The user has 3 cats.")
    assert not same_content("The user likes spicy food.", "The user does not like spicy food.")


def test_moving_archives_the_old_residence(memory):
    memory.say("I live in Beijing with my wife.")
    memory.say("I moved to Shanghai last month.", days=40)
    facts = memory.everything("fact")
    old = facts["The user lives in Beijing with their wife (1 March 2024)."]
    new = facts["The user moved to Shanghai in March 2024."]
    assert (old.status, old.superseded_by, new.status) == ("archived", new.id, "activated")
    assert old.valid_to == int((T0 + timedelta(days=40)).timestamp() * 1000)
    assert new.supersedes == [old.id]
    assert memory.current("fact") == ["The user moved to Shanghai in March 2024."]
    # get/memory/{id} of the current memory shows the version it replaced
    shown = manage.get_memory(memory.store, "p", new.id)
    assert [h["memory_value"] for h in shown["history"]] == [old.text]
    assert shown["history"][0]["status"] == "archived" and shown["history"][0]["superseded_by"] == new.id


def test_no_longer_eating_meat_archives_the_diet_fact_and_the_liking(memory):
    memory.say("I eat meat almost every day. I love eating meat.")
    memory.say("I don't eat meat any more.", days=30)
    assert memory.current("fact") == ["The user doesn't eat meat any more (31 March 2024)."]
    assert memory.current("preference") == ["The user does not like meat any more."]
    archived = {t: m for t, m in memory.everything("preference").items() if m.status == "archived"}
    assert list(archived) == ["The user likes eating meat."]


def test_like_then_dislike_supersedes_the_preference(memory):
    memory.say("I really like jazz music.")
    memory.say("I hate jazz music now.", days=5)
    prefs = memory.everything("preference")
    assert prefs["The user likes jazz music."].status == "archived"
    assert prefs["The user likes jazz music."].superseded_by == prefs["The user does not like jazz music now."].id
    assert memory.current("preference") == ["The user does not like jazz music now."]


def test_a_change_within_one_batch_keeps_only_the_last_statement(memory):
    memory.say("I live in Beijing.", "Actually I moved to Shenzhen last week.")
    assert memory.current("fact") == ["Actually the user moved to Shenzhen in the week before 1 March 2024."]


def test_an_older_statement_imported_later_does_not_replace_a_newer_one(memory):
    memory.say("I moved to Shanghai.", days=40)
    memory.say("I live in Beijing.", days=0)
    assert "The user moved to Shanghai (10 April 2024)." in memory.current("fact")


def test_unrelated_facts_on_other_slots_stay(memory):
    memory.say("I live in Beijing.", "I work at Google as an engineer.")
    memory.say("I moved to Shanghai last month.", days=40)
    assert "The user works at Google as an engineer (1 March 2024)." in memory.current("fact")


def test_raw_messages_are_never_merged_or_superseded(memory):
    memory.say("I live in Beijing.")
    memory.say("I moved to Shanghai last month.", days=40)
    raws = memory.current("raw")
    assert raws == ["[1 March 2024] user: I live in Beijing.", "[10 April 2024] user: I moved to Shanghai last month."]
