"""Dedupe and conflict resolution, run as the pipeline runs them (extract -> embed -> resolve ->
write) on the real Qdrant Edge store in a temp dir. The embedder is a small deterministic one
(hashed bag of words), so similarities are predictable and no model loads."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from pipeline import manage
from pipeline.chat_time import BEIJING
from pipeline.extract.offline import OfflineExtractor
from pipeline.models import Batch, Message, StoredMemory, user_scope
from pipeline.presenters import present
from pipeline.stages.embed import embed
from pipeline.stages.extract import extract
from pipeline.stages.resolve import resolve, same_content
from pipeline.stages.write import write
from pipeline.stores.edge_store import EdgeVectorStore
from pipeline.stores.vector_store import Scope
from pipeline.stores.graph_store import InMemoryGraphStore as InMemoryGraphs, memory_node
from tests.ports import HashEmbedder

DIM = 384
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=BEIJING)


def ms(days: int) -> int:
    return int((T0 + timedelta(days=days)).timestamp() * 1000)


class Memory:
    def __init__(self, path):
        self.store = EdgeVectorStore(path, dim=DIM)
        self.graphs = InMemoryGraphs()
        self.n = 0

    def say(self, *texts: str, days: int = 0, role: str = "user"):
        """One add/message of the user's sentences, `days` after T0; returns the write's views."""
        return self.apply(*self.plan(*[(t, days) for t in texts], role=role))

    def converse(self, *turns: tuple[str, str]):
        """One add/message of (role, content) turns, at T0."""
        return self.apply(*self.plan(*[(t, 0) for _, t in turns], roles=[r for r, _ in turns]))

    def plan(self, *said: tuple[str, int], role: str = "user", roles: list[str] | None = None):
        """Resolve one add/message of (sentence, days after T0) messages, as of the last one said."""
        self.n += 1
        roles = roles or [role] * len(said)
        batch = Batch(task_id=f"t{self.n}", project="p", user_id="u", conversation_id=f"c{self.n}",
                      accepted_at=0.0, messages=[Message(role=r, content=t, message_index=i,
                                                         chat_time=T0 + timedelta(days=days))
                                                 for i, ((t, days), r) in enumerate(zip(said, roles))])
        embedded = embed(extract(batch, OfflineExtractor()).candidates, HashEmbedder())
        now = ms(max(days for _, days in said))
        return batch, resolve(batch, embedded, self.store, now), now

    def apply(self, batch, plan, now):
        return write(batch, plan.model_copy(deep=True), self.store, self.graphs, now)

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
    # the move ends where, not with whom
    assert memory.current("fact") == ["The user lives with their wife (1 March 2024).",
                                      "The user moved to Shanghai in March 2024."]
    # get/memory/{id} of the current memory shows the version it replaced
    shown = manage.get_memory(memory.store, "p", new.id)
    assert [h["memory_value"] for h in shown["history"]] == [old.text]
    assert shown["history"][0]["status"] == "archived" and shown["history"][0]["superseded_by"] == new.id


def test_no_longer_eating_meat_archives_the_diet_fact_and_the_liking(memory):
    memory.say("I eat meat almost every day. I love eating meat.")
    memory.say("I don't eat meat any more.", days=30)
    assert memory.current("fact") == ["The user doesn't eat meat any more (31 March 2024)."]
    assert memory.current("preference") == ["The user does not eat meat any more."]
    archived = {t: m for t, m in memory.everything("preference").items() if m.status == "archived"}
    assert list(archived) == ["The user likes eating meat."]


def test_a_diet_ends_the_likes_of_what_it_excludes_said_before_it(memory):
    memory.say("I love steak.", "I really like sushi.", "I love pasta.", "I don't like pork.")
    memory.say("I'm vegetarian now.", days=10)
    memory.say("I love salmon again, I eat fish now.", days=20)
    prefs = memory.everything("preference")
    diet = prefs["The user is vegetarian."]
    assert prefs["The user likes steak."].superseded_by == diet.id
    assert prefs["The user likes sushi."].superseded_by == diet.id
    # what the diet allows, a dislike, and a like said after it stay
    assert {"The user likes pasta.", "The user does not like pork.", "The user is vegetarian."} <= \
        set(memory.current("preference"))
    assert any("salmon" in p for p in memory.current("preference"))


def test_like_then_dislike_supersedes_the_preference(memory):
    memory.say("I really like jazz music.")
    memory.say("I hate jazz music now.", days=5)
    prefs = memory.everything("preference")
    assert prefs["The user likes jazz music."].status == "archived"
    assert prefs["The user likes jazz music."].superseded_by == prefs["The user does not like jazz music now."].id
    assert memory.current("preference") == ["The user does not like jazz music now."]


def test_a_taste_said_in_passing_archives_no_taste_said_outright(memory):
    # (the code review of the aside tastes: with a slot, each of these archived the like)
    memory.say("I love opera.", "I love peanuts.")
    memory.say("The opera bored me to tears last night.", "Please no peanuts in mine.", days=1)
    assert {"The user likes opera.", "The user likes peanuts.", "The user found the opera boring."} <= \
        set(memory.current("preference"))


def test_a_change_within_one_batch_keeps_only_the_last_statement(memory):
    memory.say("I live in Beijing.", "Actually I moved to Shenzhen last week.")
    [current] = memory.current("fact")  # its wording is the extractor's business
    assert "moved to Shenzhen" in current


BEIJING_SAID = ("I live in Beijing.", 0)
HANGZHOU_SAID = ("I moved to Hangzhou.", 20)
SHANGHAI_SAID = ("I moved to Shanghai.", 40)
BEIJING_FACT, HANGZHOU_FACT, SHANGHAI_FACT = ("The user lives in Beijing (1 March 2024).",
                                              "The user moved to Hangzhou (21 March 2024).",
                                              "The user moved to Shanghai (10 April 2024).")


def chain(memory, kind: str = "fact") -> dict[str, tuple]:
    """Each memory of the kind: its status, the text that superseded it and when, what it superseded,
    and what get/memory/{id} shows as its history."""
    found = memory.everything(kind)
    text = {m.id: t for t, m in found.items()}
    return {t: (m.status, text.get(m.superseded_by), m.valid_to, sorted(text[i] for i in m.supersedes),
                [h["memory_value"] for h in manage.get_memory(memory.store, "p", m.id)["history"]])
            for t, m in found.items()}


def supersedes_edges(memory) -> set[tuple[str, str]]:
    graph = memory.graphs.load(user_scope("p", "u"))
    text = {memory_node(m.id): t for t, m in memory.everything("fact").items()}
    return {tuple(sorted((text[a], text[b]))) for a, b, rel in graph.edges(data="rel") if rel == "supersedes"}


RESIDENCES_IN_TIME = {
    BEIJING_FACT: ("archived", HANGZHOU_FACT, ms(20), [], []),
    HANGZHOU_FACT: ("archived", SHANGHAI_FACT, ms(40), [BEIJING_FACT], [BEIJING_FACT]),
    SHANGHAI_FACT: ("activated", None, None, [HANGZHOU_FACT], [HANGZHOU_FACT]),
}


def every_arrival_order(*said: tuple[str, int]):
    """Run the test once for each order in which these (sentence, days after T0) batches can reach
    resolve, as `arrival`; the test id names each by its last word and day."""
    return pytest.mark.parametrize("arrival", list(itertools.permutations(said)), ids=lambda order: "-".join(
        f"{text.split()[-1].rstrip('.')}{days}" for text, days in order))


def arrive(memory, arrival) -> None:
    """One batch per statement, resolved and written in the order given."""
    for said in arrival:
        memory.apply(*memory.plan(said))


@every_arrival_order(BEIJING_SAID, HANGZHOU_SAID, SHANGHAI_SAID)
def test_whatever_the_arrival_order_the_last_said_is_current_and_the_chain_runs_in_time(memory, arrival):
    # Batches of one user reach resolve out of order (two ingest processes, imports, redeliveries):
    # an older statement arriving late is stored archived, in its place in the chain.
    arrive(memory, arrival)
    assert memory.current("fact") == [SHANGHAI_FACT]
    assert chain(memory) == RESIDENCES_IN_TIME
    assert supersedes_edges(memory) == {tuple(sorted(pair)) for pair in [(BEIJING_FACT, HANGZHOU_FACT),
                                                                          (HANGZHOU_FACT, SHANGHAI_FACT)]}


def test_an_older_statement_arriving_after_a_newer_one_is_stored_archived(memory):
    memory.say("I moved to Shanghai.", days=40)
    views = memory.say("I live in Beijing.", days=0)
    facts = memory.everything("fact")
    old, new = facts[BEIJING_FACT], facts[SHANGHAI_FACT]
    assert (old.status, old.superseded_by, old.valid_to) == ("archived", new.id, ms(40))
    assert (new.status, new.supersedes) == ("activated", [old.id])
    assert views.memory_ids["added"] == [old.id] and new.id in views.memory_ids["updated"]
    assert [h["memory_value"] for h in manage.get_memory(memory.store, "p", new.id)["history"]] == [BEIJING_FACT]


BEIJING_THEN_SHANGHAI = {BEIJING_FACT: ("archived", SHANGHAI_FACT, ms(40), [], []),
                         SHANGHAI_FACT: ("activated", None, None, [BEIJING_FACT], [BEIJING_FACT])}


@pytest.mark.parametrize("in_batch, in_time", [([SHANGHAI_SAID, BEIJING_SAID], BEIJING_THEN_SHANGHAI),
                                               ([SHANGHAI_SAID, BEIJING_SAID, HANGZHOU_SAID], RESIDENCES_IN_TIME),
                                               ([HANGZHOU_SAID, SHANGHAI_SAID, BEIJING_SAID], RESIDENCES_IN_TIME)])
def test_statements_out_of_order_within_one_batch_end_in_time_order(memory, in_batch, in_time):
    memory.apply(*memory.plan(*in_batch))
    assert memory.current("fact") == [SHANGHAI_FACT]
    assert chain(memory) == in_time


def test_one_batch_then_an_older_statement_in_between_arrives(memory):
    memory.apply(*memory.plan(BEIJING_SAID, SHANGHAI_SAID))
    memory.apply(*memory.plan(HANGZHOU_SAID))
    assert chain(memory) == RESIDENCES_IN_TIME


def test_a_write_redelivered_after_a_crash_leaves_the_chain_as_it_is(memory):
    memory.say("I live in Beijing.", days=0)
    memory.say("I moved to Shanghai.", days=40)
    hangzhou = memory.plan(HANGZHOU_SAID)
    memory.apply(*hangzhou)
    memory.apply(*hangzhou)
    assert chain(memory) == RESIDENCES_IN_TIME


def test_like_and_dislike_out_of_order_keep_the_last_said_current(memory):
    memory.say("I hate jazz music now.", days=5)
    memory.say("I really like jazz music.", days=0)
    prefs = memory.everything("preference")
    liked, disliked = prefs["The user likes jazz music."], prefs["The user does not like jazz music now."]
    assert (liked.status, liked.superseded_by, liked.valid_to) == ("archived", disliked.id, ms(5))
    assert (disliked.status, disliked.supersedes) == ("activated", [liked.id])

    # Said again before the dislike (a late import): the same archived memory, one more source.
    memory.say("I really like jazz music.", days=2)
    prefs = memory.everything("preference")
    assert len(prefs) == 2 and len(prefs["The user likes jazz music."].sources) == 2
    assert memory.current("preference") == ["The user does not like jazz music now."]

    # Said again after it: current again, as a new version superseding the dislike.
    memory.say("I really like jazz music.", days=9)
    assert memory.current("preference") == ["The user likes jazz music."]
    current = memory.store.scan(Scope("p", "u", kinds=("preference",)))[0]
    assert current.supersedes == [disliked.id] and current.id != liked.id


def test_unrelated_facts_on_other_slots_stay(memory):
    memory.say("I live in Beijing.", "I work at Google as an engineer.")
    memory.say("I moved to Shanghai last month.", days=40)
    assert "The user works at Google as an engineer (1 March 2024)." in memory.current("fact")


ENDINGS = [
    ("I drive a 2015 Honda Civic.", "I sold the Civic and bought a Tesla Model 3.",
     "The user drives a 2015 Honda Civic (1 March 2024)."),
    ("I smoke about a pack a day.", "I quit smoking two months ago!",
     "The user smokes about a pack a day (1 March 2024)."),
    ("I'm a huge fan of Coldplay.", "I'm not into Coldplay anymore, Radiohead is my favorite band now.",
     "The user is a huge fan of Coldplay (1 March 2024)."),
    ("I'm allergic to peanuts.", "Turns out I'm not allergic to peanuts after all.",
     "The user is allergic to peanuts (1 March 2024)."),
    ("I use VS Code for all my Python work.", "I switched from VS Code to Neovim last month.",
     "The user uses VS Code for all their Python work (1 March 2024)."),
    ("I'm going to Rome in May with my sister.", "The trip to Rome is off, my sister broke her leg.",
     "The user is going to Rome in May with their sister (1 March 2024)."),
    ("I go to Planet Fitness near my office.", "I cancelled my Planet Fitness membership and joined Equinox.",
     "The user goes to Planet Fitness near their office (1 March 2024)."),
    ("I have a golden retriever named Max.", "Max passed away last week. I'm heartbroken.",
     "The user has a golden retriever named Max (1 March 2024)."),
    ("I'm on sertraline for my anxiety.", "I came off sertraline last month, feeling fine.",
     "The user is on sertraline for their anxiety (1 March 2024)."),
    ("I use Spotify for podcasts.", "I moved over to Apple Music and cancelled Spotify.",
     "The user uses Spotify for podcasts (1 March 2024)."),
    ("I drink coffee every morning.", "I gave up coffee completely, I only drink tea now.",
     "The user drinks coffee every morning (1 March 2024)."),
]


@pytest.mark.parametrize("before, after, ended", ENDINGS)
def test_a_statement_that_names_what_ended_archives_the_memories_that_say_it(memory, before, after, ended):
    memory.say(before)
    memory.say(after, days=30)
    facts = memory.everything("fact")
    assert facts[ended].status == "archived"
    successor = next(m for m in facts.values() if m.id == facts[ended].superseded_by)
    assert successor.status == "activated" and successor.sources[0].content == after
    # the copies of the ending statement itself are all current
    assert all(m.status == "activated" for m in memory.everything("preference").values()
               if m.said_at == successor.said_at)


@pytest.mark.parametrize("before, after, ended", ENDINGS)
def test_an_ending_that_arrives_before_what_it_ends_still_ends_it(memory, before, after, ended):
    # a bulk import or a second worker delivers the later statement first: the ending is kept with
    # its memory, and the earlier statement, when it comes, is stored already archived
    memory.say(after, days=30)
    memory.say(before)
    facts = memory.everything("fact")
    assert facts[ended].status == "archived"
    successor = next(m for m in facts.values() if m.id == facts[ended].superseded_by)
    assert successor.status == "activated" and successor.sources[0].content == after
    assert facts[ended].id in successor.supersedes
    assert not any(ended.split(" (")[0] in t for t in memory.current("fact"))


def test_an_ending_later_in_the_same_batch_ends_what_the_batch_said_before_it(memory):
    # one add whose messages are not in time order: the sale (day 10) first, the car (day 1) after
    memory.apply(*memory.plan(("I sold my Civic.", 10), ("I drive a Honda Civic.", 1)))
    assert not any("drives a Honda Civic" in f for f in memory.current("fact")), memory.current("fact")


def test_a_late_statement_said_after_the_ending_stays_current(memory):
    # "I drive a Civic" said again after "I sold the Civic" is a new state, not one the sale ended
    memory.say("I sold the Civic and bought a Tesla Model 3.", days=30)
    memory.say("I drive a 2015 Honda Civic.", days=40)
    assert any("drives a 2015 Honda Civic" in t for t in memory.current("fact")), memory.current("fact")


def test_a_move_leaves_the_job_said_in_the_same_sentence_current(memory):
    memory.say("I live in Boston and I work as a nurse at Mass General.")
    memory.say("I moved to Denver last month.", days=40)
    current = memory.current("fact")
    assert "The user works as a nurse at Mass General (1 March 2024)." in current, current
    assert not any("Boston" in f for f in current), current


@pytest.mark.parametrize("compound, change, kept, changed", [
    # an ending names one clause
    ("I have a cat named Oliver and I drive a Prius.", "I sold the Prius and bought a bike.", "cat named Oliver", "Prius"),
    ("I smoke and I drink a lot of coffee.", "I finally quit smoking.", "coffee", "smokes"),
    ("I go to the gym every morning and I work at a bank.", "I cancelled my gym membership, I just walk now.",
     "works at a bank", "gym every morning"),
    # a slot names one clause
    ("I'm a student at UCLA and I live in the dorms.", "I transferred to Stanford this fall.", "dorms",
     "student at UCLA"),
    ("I live in Seattle, work at Amazon, and I'm a software engineer.", "I moved to Portland last month.",
     "Amazon", "Seattle"),
    ("I drive a Jeep Wrangler and I play bass in a band.", "I traded the Jeep for a Ford F-150.", "bass",
     "Jeep Wrangler"),
    ("I'm a nurse and I live in the dorms near campus.", "I moved out of the dorms last month.", "nurse", "dorms near"),
    ("I'm 29, single, and drive a Mini.", "I've started seeing someone from work.", "drives a Mini", "single"),
    ("I'm allergic to peanuts, I'm lactose intolerant, and I'm on a keto diet.", "I'm done with keto, eating normally again.",
     "peanuts", "keto"),
    ("I'm studying biology at UC Davis and I work part time at a coffee shop.", "I quit the coffee shop job to focus on exams.",
     "biology", "coffee shop (1 March"),
    ("I work in marketing at Nike, I'm based in Portland and I'm married.", "I got laid off from Nike last week.",
     "Portland", "marketing at Nike"),
    # one clause, two values: where one lives, and with whom
    ("I live in Boston with my two cats.", "I moved to Denver last month.", "lives with their two cats", "Boston"),
    ("We live in Leeds with our dog Max.", "We moved to York last month.", "dog Max", "Leeds"),
    ("I'm living in Austin with my husband.", "I moved to Dallas last month.", "living with their husband", "Austin"),
    ("My wife Anna and I live in Madrid.", "We moved to Valencia last month.", "wife Anna", "Madrid"),
    # one verb, two things (audit 19)
    ("I have a cat named Pepper and a dog named Scout.", "Scout passed away on Tuesday.", "cat named Pepper", "Scout"),
    # audit 21's lost facts: two pursuits under one verb, with whom each
    ("I play soccer on Tuesdays and basketball on Thursdays.", "I stopped playing basketball, my knee hates it.",
     "soccer", "basketball"),
    ("I'm studying French and Mandarin at night school.", "I dropped Mandarin, too hard with work.", "French",
     "Mandarin"),
    ("I live in Oakland with my girlfriend Priya and our cat Mochi.", "Priya and I split up last month.", "cat Mochi",
     "girlfriend Priya"),
])
@pytest.mark.parametrize("late", [False, True], ids=["in order", "compound arrives late"])
def test_a_change_to_one_clause_of_a_compound_fact_leaves_the_others_current(memory, compound, change, kept, changed,
                                                                             late):
    if late:
        memory.say(change, days=40)
        memory.say(compound)
    else:
        memory.say(compound)
        memory.say(change, days=40)
    current = memory.current("fact")
    assert any(kept in f for f in current), current
    assert not any(changed in f and f.endswith("(1 March 2024).") for f in current), current
    # the clause kept is said when the compound was, from the same message
    remainder = next(m for m in memory.everything("fact").values() if kept in m.text and m.status == "activated")
    assert remainder.sources[0].content == compound and remainder.said_at == ms(0)


def test_a_wish_is_no_clause_of_its_own(memory):
    # "I want to live in Paris and work at Chanel": no "I work at Chanel" to outlive the wish
    memory.say("I work at Google as an engineer.")
    memory.say("I want to live in Paris and work at Chanel.", days=1)
    memory.say("I gave up on Paris.", days=10)
    current = memory.current("fact")
    assert "The user works at Google as an engineer (1 March 2024)." in current, current
    assert not any("works at Chanel" in f for f in current), current


def test_a_compound_fact_changed_whole_or_by_an_unknown_clause_is_archived_whole(memory):
    memory.say("I have a cat named Oliver and I drive a Prius.")
    memory.say("Oliver passed away and I sold the Prius.", days=40)
    current = memory.current("fact")
    assert not any("Oliver (1 March" in f or "drives a Prius" in f for f in current), current


def test_a_taste_turned_ends_the_liking(memory):
    memory.say("I love running, I do it every morning.")
    memory.say("I've come to hate running, my knees can't take it.", days=30)
    assert not any("likes running" in t for t in memory.current("preference")), memory.current("preference")


def test_no_longer_a_fan_ends_the_liking_too(memory):
    memory.say("I'm a big fan of the Lakers.")
    memory.say("I'm not a Lakers fan anymore, I root for the Warriors now.", days=30)
    assert not any("Lakers" in t and "not" not in t for t in memory.current("fact") + memory.current("preference"))


def test_a_correction_ends_only_the_memory_on_the_same_matter(memory):
    memory.say("I play poker with friends every Friday.")
    memory.say("My flight to Lisbon is on Friday.", "Wait, correction: my flight is on Saturday, not Friday.")
    current = memory.current("fact")
    assert not any("Lisbon is on Friday" in f for f in current)
    assert any("Saturday" in f for f in current)
    assert "The user plays poker with friends every Friday (1 March 2024)." in current


@pytest.mark.parametrize("ending", ["Mia quit ballet last month.", "My daughter Mia isn't doing ballet anymore.",
                                    "Ugh, Mia gave up ballet."])
def test_what_someone_else_gave_up_ends_only_what_was_said_of_them(memory, ending):
    memory.say("My daughter Mia takes ballet on Saturdays.", "I love watching ballet on TV.",
               "My son Leo takes ballet too.")
    memory.say(ending, days=20)
    current = memory.current("fact")
    assert not any("Mia takes ballet" in f for f in current), current
    assert "The user loves watching ballet on TV (1 March 2024)." in current  # the user's own, and Leo's, stay
    assert "The user's son Leo takes ballet too (1 March 2024)." in current


def test_a_like_said_as_a_fact_and_as_a_preference_is_ended_in_both(memory):
    memory.say("I like horror movies.")
    memory.say("I don't like horror movies anymore, they give me nightmares.", days=10)
    assert not any("likes horror" in t for t in memory.current("fact") + memory.current("preference"))


@pytest.mark.parametrize("before, after, slot_value", [
    ("I'm 29.", "I turned 30 yesterday, feeling old!", "29"),
    ("I'm 29.", "I'm 30 now.", "29"),
    ("I'm single.", "I have a girlfriend now.", "single"),
    ("My favorite food is pizza.", "My favorite food is ramen now, I've been obsessed since my trip to Japan.",
     "pizza"),
    ("I have two kids, Mia and Leo.", "We just had our third baby, a girl named Zoe, so now I have three kids.",
     "Mia and Leo"),
    ("I weigh 210 pounds.", "Down to 195 pounds now, I weigh less than I have in years!", "210"),
    ("I make $85,000 a year as an analyst.", "I got a raise, I'm making $95,000 now.", "85,000"),
    ("My phone number is 555-0142.", "I changed my number, it's 555-0199 now.", "0142"),
    ("I'm vegetarian.", "I'm vegan now, I cut out dairy and eggs too.", "vegetarian"),
    ("I live in Porto.", "I've moved to Lisbon, so I'm living in Lisbon now.", "Porto"),
    ("I work at Google as a software engineer.", "Big news: I left Google and started working at Stripe!",
     "Google as"),
    ("I live in Porto.", "We finally got the keys to our new place in Austin!", "Porto"),
    ("I live in Porto.", "Since relocating to Edinburgh I walk everywhere.", "Porto"),
    ("I work at Amazon as a product manager.", "I left Amazon in June and I'm at Shopify now.", "Amazon as"),
    ("I'm a teacher.", "I'm a nurse now, I retrained last year.", "teacher"),
    ("I'm a high school teacher.", "I am currently a software developer.", "teacher"),
    ("I drive a Honda Civic.", "I drive a Tesla Model 3 now, no more gas stations!", "Civic"),
    ("I drive a Honda Civic.", "My new car is a Mazda CX-5 and I love it.", "Civic"),
    # (audit 14's phrasings)
    ("I'm a barista at a coffee shop downtown.", "I got hired as a paralegal, started last Monday!", "barista"),
    ("I work in retail as a store clerk.", "I became a product manager last month.", "clerk"),
    ("I drive a minivan, a Honda Odyssey.", "I'm driving a Toyota Sienna these days.", "Odyssey"),
    ("I drive a Mini Cooper.", "I upgraded from my Mini Cooper to an Audi A4.", "drives a Mini"),
    ("I drive a Toyota Corolla.", "I traded in the Corolla for a Subaru Outback last weekend.", "drives a Toyota"),
    # (audit 15's phrasings)
    ("I live in a tiny apartment in Brooklyn right now.", "We finally moved out of Brooklyn, I live in Jersey City now.",
     "tiny apartment"),
    ("I rent an apartment in Seattle.", "We bought a house in Tacoma and moved last month.", "Seattle"),
    ("I make around $65k a year.", "Got a raise, I make around $78k a year now.", "65k"),
    ("I'm a manager at Target.", "I got laid off from Target, I'm unemployed right now.", "manager at Target"),
    ("I have two dogs.", "We rehomed one of the dogs, so I just have one dog now.", "two dogs"),
    ("My boyfriend and I have been dating for two years.", "Ugh, my boyfriend and I broke up, I'm single again.",
     "dating"),
    # audit 19's blind misses: endings told as events, and implied moves and jobs
    ("I have a golden retriever named Max, he's 13.", "we lost Max last week. 14 years.", "golden retriever"),
    ("I have a cat called Luna.", "had to rehome Luna 😢 new landlord doesn't allow pets", "cat called Luna"),
    ("I'm on metformin for my blood sugar.", "good news, I'm off metformin now! diet and walking fixed it",
     "on metformin"),
    ("I wear glasses, pretty bad prescription.", "got LASIK last month, no more glasses!", "wears glasses"),
    ("I'm training for the Boston Marathon in April.", "had to pull out of the marathon, stress fracture",
     "training for"),
    ("I volunteer at the animal shelter every saturday.", "stopped volunteering at the shelter, no time with the baby",
     "volunteers at"),
    ("My internet provider is Comcast.", "finally ditched comcast for google fiber!!", "Comcast"),
    ("We're renting a flat in Manchester at the moment.", "First week at the new place in Leeds and I love it.",
     "Manchester"),
    ("I live in Portland, Oregon.", "Glasgow is my home now.", "Portland"),
    ("I work at Google as a data analyst.", "just finished my first month at Stripe! way better team", "Google"),
    ("My cell is 555-0142 if you need it.", "new number btw: 555-0199", "555-0142"),
    ("My email is jsmith88@gmail.com", "pls use my new email john.smith@outlook.com from now on", "jsmith88"),
    ("My doctor is Dr. Patel at Westside Clinic.", "I switched to Dr. Nguyen since Dr. Patel retired.", "Westside"),
    ("I bank with Chase.", "Moved all my accounts over to Ally last month.", "Chase"),
    ("My son goes to Lincoln Elementary.", "My son started at Jefferson Middle School this fall!", "Lincoln"),
    ("I work from home full time.", "back in the office full time now ugh", "from home"),
    ("My phone is a Samsung Galaxy S21.", "I've switched to an iPhone 15, my Samsung finally gave up.", "Galaxy S21"),
    # audit 21's blind misses
    ("I drive a Honda Civic.", "sold the civic finally, bought a used Toyota RAV4", "Civic"),
    ("I bank with Chase.", "closed my chase account and moved everything over to Ally", "Chase"),
    ("My internet provider is Comcast.", "dumped comcast, went with Google Fiber", "Comcast"),
    ("I work at Target as a shift lead.", "no longer at target, starting somewhere new in june", "shift lead"),
    ("I drink like four coffees a day.", "cut out coffee completely, only green tea now", "coffees"),
    ("I'm allergic to penicillin.", "turns out I'm not actually allergic to penicillin!", "is allergic to penicillin"),
    ("I live in Boston.", "oops i said boston earlier but i actually live in Cambridge", "Boston ("),
    ("I'm a student at NYU.", "graduated from nyu last month!!", "student at NYU"),
    ("Everyone calls me Liz.", "I actually go by Beth now, not Liz. new job new me", "calls the user Liz"),
    ("I work the night shift, 11pm to 7am.", "they moved me to day shift!! 7 to 3 now", "night shift"),
    # a lower-case sentence after a full stop is a sentence of its own
    ("I work from home full time.", "ugh, my company ended remote work. back in the office 5 days a week now",
     "from home"),
    # leaving a named place ends the job there (audit 20)
    ("I got promoted to staff engineer at Shopify today.", "Plot twist, I left Shopify. Wealthsimple made me an offer.",
     "staff engineer"),
    ("My laptop is a Dell XPS 13.", "Switched to a MacBook Air last month, so much lighter.", "Dell"),
    # a break-up ends what was said of the couple, a diet ended what was said of the diet
    ("Jonah is my fiancé.", "Jonah and I broke up.", "fiancé"),
    ("My boyfriend Jonah is a chef.", "Jonah and I broke up last week.", "boyfriend Jonah"),
    ("I'm dating Jonah, he's great.", "I broke up with Jonah.", "dating Jonah"),
    ("I've been vegan for five years.", "I've started eating fish again, doctor's orders.", "vegan"),
    ("My favorite TV show is The Office.", "My new favorite show is Severance.", "The Office"),
    # a contact detail given inside a request (audit 15)
    ("My email is jane.doe@gmail.com.", "Please use my new email, jane@doe.dev, for all invoices from now on.",
     "jane.doe@gmail.com"),
    ("My phone number is 555-0142.", "Can you update my number to 555-0199 in your notes?", "555-0142"),
    # audit 16's blind misses, and variants of them
    ("My apartment is in Chicago, near Wicker Park.", "We finally relocated to Austin last weekend.", "Chicago"),
    ("Our house is in Tampa.", "We're all moved in to our new place in Orlando!", "Tampa"),
    ("I'm based in Boston these days.", "Just finished moving to Seattle, still unpacking boxes.", "Boston"),
    ("I'm a high school math teacher.", "Started my new job as a data analyst at a bank this week.", "math teacher"),
    ("I work at Google.", "I left Google in May and joined Stripe.", "works at Google"),
    ("I'm a barista at a cafe downtown.", "Got promoted, I'm the store manager now!", "barista"),
    ("I'm a line cook at Nando's.", "I got promoted to sous chef last month.", "line cook"),
    ("My car is a Subaru Outback.", "I got a new car, a Mazda CX-5.", "Subaru"),
    ("I drive an old Ford pickup.", "These days I drive a Toyota Prius, way better on gas.", "Ford"),
    ("I eat pretty much everything, no restrictions.", "I went vegan in January.", "no restrictions"),
    ("I'm on a keto diet.", "These days I follow a Mediterranean diet.", "keto"),
    ("I work remotely from home full time.", "We're back in the office five days a week since the mandate.",
     "remotely"),
    ("I commute into the office every day.", "I switched to fully remote work in June.", "commute"),
    ("My job is hybrid, three days in the office.", "My team went fully remote, so no more office days for me.",
     "hybrid"),
    ("I'm on the early morning shift, 5am to 1pm.", "I'm on the late shift now, 3 to 11.", "early morning"),
    ("I work nights in the ER.", "I'm working days now, which is so much better for my sleep.", "nights"),
    ("I share a flat with two roommates.", "I live alone now, the roommates moved out.", "a flat with two roommates"),
    ("I'm 41 years old.", "Just hit 42, feeling old lol.", "41"),
    ("I'm 17.", "I'm finally 18 so I can vote this year.", "17"),
    ("I have a piano in my living room.", "We gave the piano away to my niece since nobody played it.", "piano in"),
    ("I have two cats, Luna and Milo.", "We rehomed Milo, so it's just Luna now.", "Luna and Milo"),
    ("My favorite band is Radiohead.", "Honestly my favorite band these days is Fontaines D.C.", "Radiohead"),
    ("My favourite show is The Office.", "Severance has replaced The Office as my favourite show.", "show: The Office"),
    ("Pizza is my favorite food.", "My favorite food now is definitely ramen.", "Pizza"),
    ("My favorite author is Stephen King.", "Lately Brandon Sanderson has become my favorite author.", "Stephen King"),
    # blind audit 17's misses, in other words
    ("I've been at Accenture for six years.", "Today was my first day at McKinsey, so nervous!", "Accenture"),
    ("My employer is Shopify, I'm on the payments team.", "I left Shopify in April and joined Stripe.",
     "employer is Shopify"),
    ("I'm a chemistry teacher at a high school.", "I switched careers and now work as a data analyst.", "chemistry"),
    ("I don't have a car, I cycle everywhere.", "Bought my first car this weekend, a used Honda Fit.", "have a car"),
    ("I work fully remote from home.", "My company ended remote work, I'm back in the office five days a week now.",
     "fully remote"),
    ("I commute into the city office 3 days a week.", "I'm fully remote now since they closed our office.", "commute"),
    ("I live with two roommates in a 3 bed apartment.", "I live alone now, my roommates moved out.", "two roommates"),
    ("I'm single at the moment.", "I've been seeing someone for a couple months now.", "single"),
    ("I'm 45 years old.", "I just had my 46th birthday.", "45"),
    ("We have a cat called Mochi.", "We had to rehome Mochi because my son is allergic.", "cat called Mochi"),
    ("I own a piano, an old Yamaha upright.", "We gave the piano to my niece since no one played it.", "own a piano"),
    ("I take sertraline every morning.", "My doctor took me off sertraline last month.", "takes sertraline"),
    ("I play guitar in my free time.", "I haven't touched my guitar in months.", "plays guitar"),
    ("My fave show is The Office.", "Severance is my favorite show now.", "The Office"),
    ("I'm studying at Ohio State, doing a business degree.", "I transferred to Michigan this semester.", "Ohio State"),
    ("I'm doing keto right now.", "Quit keto, back to eating normal carbs.", "keto right now"),
    ("I'm taking night classes at Riverside Community College.", "Transferred to UC Irvine this fall.", "Riverside"),
    ("I teach 4th grade.", "I left teaching, I'm an instructional designer now.", "4th grade"),
    ("I'm 41.", "I'm 42 as of last Tuesday.", "41"),
    ("I ride a Trek road bike to work.", "My bike got stolen so I'm taking the bus now.", "Trek"),
    ("I play bass in a garage band on weekends.", "I gave up on the band thing, it was too much.", "garage band"),
    # a phone keyboard's apostrophe
    ("I\u2019m a teacher at Lincoln High.", "I\u2019m a nurse now, I switched careers.", "teacher"),
    ("I drive a Honda Civic.", "I\u2019m not driving the Civic anymore, I sold it.", "Honda Civic"),
    # who serves the user, one at a time; contact details; endings (after blind audit 18)
    ("My dentist is Smile Studio downtown.", "Found a new dentist, Bright Dental in Oakwood, way cheaper.",
     "Smile Studio"),
    ("My doctor is Dr. Alvarez.", "I switched to a new GP, Dr. Nakamura, since Alvarez retired.", "is Dr. Alvarez"),
    ("I bank with Wells Fargo.", "I switched banks to a local credit union, the fees were insane.", "Wells Fargo"),
    ("My health insurance is through Aetna.", "I switched insurance to Kaiser at open enrollment.", "Aetna"),
    ("I'm majoring in chemistry.", "I switched my major to nursing.", "chemistry"),
    ("My phone is an iPhone 12.", "I got a new phone, a Pixel 8.", "iPhone 12"),
    ("My cell is 555-0142.", "I got a new number, it's 555-0199.", "555-0142"),
    ("My number is 555-0142 if you need it.", "I changed my phone number, it's 555-0199 now.", "555-0142 if"),
    ("My address is 14 Birch Lane, Keene.", "New address for the forms: 88 Harbor Rd, Portsmouth.", "Birch Lane"),
    ("I'm 29 btw.", "Turned 30 yesterday, feeling ancient.", "29"),
    ("I'm working at Cardinal Logistics these days.", "I accepted an offer from Brightwave, my last day at Cardinal is Friday.",
     "Cardinal Logistics"),
    ("My laptop is a ThinkPad X1.", "I replaced my ThinkPad with a MacBook Air.", "ThinkPad X1"),
    ("I'm doing a part-time MBA at Babson.", "I dropped out of the MBA program, it wasn't worth the debt.", "Babson"),
    ("I drink like four coffees a day.", "I've cut coffee completely, only green tea now.", "four coffees"),
    # where and when one works, whom one lives with (audit 15's misses)
    ("I work from home full-time.", "My company made everyone come back, I'm in the office five days a week now.",
     "from home"),
    ("I work remotely for a startup in Austin.", "I'm back in the office full-time now.", "remotely"),
    ("I'm fully remote.", "I go into the office three days a week now, we're hybrid.", "fully remote"),
    ("I work the night shift at the hospital.", "I finally switched to day shifts!", "night shift"),
    ("I work nights at the warehouse.", "I'm on the day shift now, so much better for my sleep.", "nights"),
    ("I live with my parents to save money.", "I finally got my own apartment, no more living with my parents!",
     "save money"),
    ("I live alone.", "My girlfriend moved in with me last month.", "alone"),
    ("I have two roommates.", "I live by myself now, it's so quiet.", "roommates"),
])
def test_a_later_value_on_the_same_subject_replaces_the_earlier(memory, before, after, slot_value):
    memory.say(before)
    memory.say(after, days=30)
    current = memory.current("fact") + memory.current("preference")
    assert not any(slot_value in t for t in current), current


@pytest.mark.parametrize("before, after", [
    ("I live in Boston.", "We moved to a new office downtown, the commute is shorter."),
    ("I live in Denver.", "We moved into a bigger apartment in the same neighborhood."),
    ("I work at Google on the Maps team.", "I just got a new job offer from Meta but I'm going to turn it down."),
    ("I work at Deloitte as an accountant.",
     "I'm currently working as a volunteer firefighter on weekends, on top of my day job."),
    ("I'm married to Tom.", "I'm single-handedly organizing the school bake sale this year."),
    ("I'm vegetarian.", "My kids still eat meat, so I cook two dinners."),
    ("I have a dog named Rex.", "I also have two cats now."),
    ("I like jazz.", "If I sold my piano I could buy a better one."),
    ("I love Starbucks coffee, especially the caramel macchiato.",
     "I stopped at the Starbucks on 5th on my way in and it was packed."),
    ("My daughter Lily plays soccer on Saturdays.", "I dropped Lily off at soccer practice this morning."),
    ("I work at Target as a store manager.", "I have a job interview at Costco on Monday, fingers crossed!"),
    ("I work as a pharmacist at CVS.", "I'm a regular at the climbing gym near my place."),
    ("I live in Portland.", "At work I moved to the Marketing team in March."),
    ("I used to smoke back in college.", "I quit smoking in 2010 and never looked back."),
    ("I do the NYT crossword every morning.", "I gave up on the crossword today, way too hard."),
    ("I live in Boston.", "I'm in London now for a conference, back on Friday."),
    ("I weigh about 70kg.", "My goal is to get down to 65kg by summer."),
    # a common word or a thing of someone else's ends nothing of the user's (the code review's cases)
    ("My friend Sam loves hiking with me.", "I cancelled on my friend last minute, I felt awful."),
    ("My phone number is 555-0142.", "My phone was off all day, sorry."),
    ("I love board games with my cousins.", "Our game got cancelled because of the rain."),
    ("I'm a big fan of Coldplay.", "I'm not a fan any more of long concerts though."),
    ("My best friend Sarah is a nurse.", "Sarah died in a car crash in the movie, I cried."),
    ("I work at Google as an engineer.", "My wife told me \"I quit my job\" and I was shocked."),
    ("I work at Google as an engineer.", "I'm a bit tired at the moment."),
    ("I work at Google as an engineer.", "My daughter's first day at Riverside Elementary went well."),
    ("I make $85,000 a year as an analyst.", "I'm making 2 cakes for the party."),
    ("My favorite part of Dune is the music.", "My favorite part is the ending of Arrival."),
    ("I live in Boston.", "We are thinking about moving to the Bay Area next year."),
    ("I'm a teacher at Lincoln High.", "I'm a former nurse, so I know first aid."),
    ("I work at Google as an engineer.", "I'm an aspiring writer, working on my first novel."),
    ("I work as a pharmacist at CVS.", "I'm a photographer in my free time."),
    ("I work as a pharmacist at CVS.", "I'm a software engineer at heart, I love coding."),
    ("I drive a Honda Civic.", "I drove a Ferrari at a track day, what a thrill!"),
    ("I drive a Honda Civic.", "My brother drives a Tesla now."),
    ("I drive a Honda Civic.", "I'm driving a rental Jeep this week in Utah."),
    ("I work as a pharmacist at CVS.", "I became a mom last year and it changed everything."),
    ("I work as a pharmacist at CVS.", "I'm a terrible cook, so I order in a lot."),
    ("I work as a pharmacist at CVS.", "I'm a careful driver, never had a ticket."),
    ("I'm vegan.", "I joked to my coworkers that I'd quit being vegan for bacon, but obviously I'm not going to."),
    ("I live in Boston.", "If I moved to Paris I would finally learn French."),
    ("I'm a vegetarian.", "I'm thinking about going vegan next year."),
    ("I'm 41.", "My dad just hit 70, we threw him a party."),
    ("I drive a Honda Civic.", "I got a new car seat for the baby."),
    ("My favorite band is Radiohead.", "Radiohead has become my go-to for long drives."),
    ("I live in Denver.", "My apartment is in a total mess after the party."),
    ("I'm on the day shift.", "My wife is on the night shift this month."),
    ("I work at a bank.", "I left my umbrella at the bank and joined the queue again."),
    ("I'm a student at UCLA.", "My sister transferred to Berkeley last fall."),
    ("I work at Deloitte.", "I've been at the airport for hours, my flight is delayed."),
    ("I play guitar.", "I haven't touched my phone all day."),
    ("I drive a Honda Civic.", "I got a rental car this weekend for the trip to Tahoe."),
    ("My dentist is Smile Studio.", "My doctor is worried about my blood pressure."),
    ("I work as a pharmacist at CVS.", "I teach my kids to swim on Sundays."),
    ("I drive a Honda Civic.", "My friend's car got stolen last night."),
    ("My gym is Planet Fitness.", "My gym is packed on Mondays, I hate it."),
    ("My dentist is Smile Studio.", "I want to find a new dentist, they're so expensive."),
    ("I drink coffee every morning.", "I cut my hair short for the summer."),
    # the code review's false positives
    ("I work at Google as an engineer.", "I started my job search this week."),
    ("I work at Google as an engineer.", "I get up at 6 and work for two hours before the kids wake up."),
    ("I work at Google as an engineer.", "I hope to finish my degree and work as a nurse someday."),
    ("I'm 34 years old.", "Just hit 10,000 steps!"),
    ("I work from home.", "My wife went back to the office last month."),
    ("I work from home.", "I went back to the office to grab my laptop."),
    ("I live with my parents.", "I can't wait to have my own place."),
    ("I drive a Honda Civic.", "We bought our new car seat for the baby."),
    ("I'm vegetarian.", "I eat everything my kids leave on their plates."),
    ("I'm studying at Ohio State.", "I just transferred to Boston for work."),
    ("I'm married to Tom.", "I'm seeing Hamilton with my sister on Friday."),
    ("My phone number is 555-0199.", "I gave my phone number to the dentist."),
    ("I love my vintage guitars.", "I sell vintage guitars on Reverb."),
    ("My favorite city is Paris.", "We finally moved out of the city."),
    ("I'm taking evening classes in Spanish.", "I'm done with my classes for the semester."),
    ("I work the night shift.", "I traded my night shift for a day off."),
    ("I drive an old Ford pickup.", "I quit my old job."),
    ("I work from home.", "I'm working from the office today because my internet is down."),
    ("I work from home.", "I'd love to work in an office again someday."),
    ("I work the day shift.", "I'm covering a night shift tonight for a coworker."),
    ("I work the day shift.", "I'm working the night shift this week, ugh."),
    ("I work nights.", "My husband works days, so we barely see each other."),
    ("I live with my parents.", "My sister lives with her boyfriend now."),
    ("I live alone.", "I'm staying with my parents this weekend."),
    ("I live alone.", "I'm living with my parents for a few weeks while my place is renovated."),
    # audit 20: a break-up or a new diet ends what was said of the couple or the diet, not whatever
    # names the person or the word
    ("We took the flat in Neukolln, Jonah can have a desk and I'm 2 min from a vegan doner place.",
     "Jonah and I broke up last week. Also I've started eating fish again."),
    ("Jonah can have the spare room as his office.", "I broke up with Jonah."),
    ("I live two minutes from a vegan bakery.", "I eat meat again."),
    ("I'm cooking for a vegan friend tonight.", "I've started eating fish again."),
    ("My phone is a Samsung Galaxy S21.", "My mom switched to an iPhone."),
    ("I play guitar and sing in a band.", "My sister sings in a choir now."),
    ("I closed the door on that chapter.", "I love my new door."),
    # the code review's: what the new endings and slots must not read as a change
    ("I love coffee, I drink it every morning.", "No more coffee for me tonight lol"),
    ("We have three dogs.", "My husband says no more dogs!"),
    ("My best friend Jenny lives in Austin.", "ugh I lost Jenny's number when my phone died"),
    ("I have a dog named Bingo.", "I lost Bingo at the park yesterday but found him an hour later, so scary"),
    ("I work at Google as a software engineer.", "I left Google early today for a dentist appointment."),
    ("I'm a nurse at a hospital in Boston.", "We left Boston at 6am for the drive to Maine."),
    ("I'm a barista at Starbucks.", "Just left Starbucks, their new menu is wild."),
    ("My husband works at Amazon.", "I closed my Amazon account, too many impulse buys."),
    ("My brother is a professor at NYU.", "I finally graduated from NYU!!"),
    ("I live in Boston.", "I'm not actually from Boston, I just live here for work."),
    ("I drink coffee every morning.", "ugh I dumped my coffee on my laptop"),
    ("My yoga class is on Monday.", "I'm off Monday!"),
    ("I love Python and Rust.", "I wrote Python before I learned Rust."),
    ("I love my new house, especially the long driveway.", "I pulled out of the driveway and hit the mailbox."),
    ("I live in Brooklyn.", "we tried the new place in Soho last night, amazing ramen"),
    ("I live in Boston.", "We're renting a house in Tahoe for the weekend!"),
    ("I live in Boston.", "Dave is home now so I can't chat long."),
    ("My name is Sarah.", "I go by Starbucks every morning on my way to work."),
    ("My name is Sarah.", "Everyone calls me Mom at work."),
    ("My son goes to Lincoln Elementary.", "My son goes to Sunday School at our church."),
    ("My daughter goes to Lincoln Middle School.", "My daughter goes to Dance Academy on Tuesdays."),
    # ...and nothing else that names the place: a trip leaves the home
    ("I live in Paris with my cat.", "We left Paris yesterday, now in Rome for the week."),
    ("I love the Shopify app store.", "I left Shopify last month."),
    # one child's school is not another's
    ("My daughter Mia goes to Oak Hill Elementary.", "My son Leo started at Jefferson Middle School."),
    ("My son goes to Lincoln Elementary.", "My son goes to Disneyland next week!"),
    # what one has run out of, or where one is off to, ends nothing
    ("I drink oat milk every morning.", "We have no more milk, ugh."),
    ("I love Paris.", "I'm off to Paris now for the weekend."),
    ("I have a cat called Luna.", "I lost my keys at the park with Luna's toy."),
])
def test_a_statement_that_only_mentions_the_words_replaces_nothing(memory, before, after):
    memory.say(before)
    memory.say(after, days=30)
    assert all(m.status == "activated" for m in memory.everything("fact").values())


@pytest.mark.parametrize("fuller, shorter", [
    ("I'm a nurse at St Mary's.", "I'm a registered nurse, night shifts are tiring."),
    ("I live in Boston near the harbor.", "I live in Boston and the winters are brutal."),
    ("I drive a Honda Civic with a roof rack.", "I drive a Honda Civic, it is so reliable."),
    ("I work from home for a design agency in Leeds.", "I work from home, it suits me."),
    ("I work night shifts at the depot.", "I'm on nights, so I sleep during the day."),
    ("I live with my parents in their old farmhouse.", "I live with my parents, it saves money."),
])
@pytest.mark.parametrize("later_first", [False, True], ids=["in order", "out of order"])
def test_the_same_value_said_again_less_fully_leaves_the_fuller_statement_current(memory, fuller, shorter,
                                                                                  later_first):
    # the later statement names nothing the earlier does not: it is no new value, whatever arrives first
    if later_first:
        memory.say(shorter, days=30)
        memory.say(fuller)
    else:
        memory.say(fuller)
        memory.say(shorter, days=30)
    facts = memory.everything("fact")
    assert len(facts) == 2 and all(m.status == "activated" for m in facts.values()), facts


def test_near_duplicates_arriving_after_the_statement_that_ended_them_are_one_archived_memory(memory):
    memory.say("I don't like jazz music any more.", days=100)
    memory.say("I love jazz music, it relaxes me after a long day at the office downtown.", days=4)
    memory.say("I love jazz music, it relaxes me after a long day at the office downtown.", days=1)
    loves = [m for t, m in memory.everything("fact").items() if "loves jazz" in t]
    assert len(loves) == 1 and loves[0].status == "archived" and len(loves[0].sources) == 2, loves


def test_an_ending_leaves_the_events_told_before_it_and_what_other_memories_say(memory):
    memory.say("I have a golden retriever named Max.", "Max and I went to the beach every Sunday.",
               "My mom loves to bake bread on Sundays.")
    memory.say("Max passed away last week. My flight is on Saturday, not Friday.", days=30)
    current = memory.current("fact")
    assert not any("golden retriever" in f for f in current)
    assert any("Max and the user went to the beach" in f for f in current), current
    assert any("mom loves to bake bread" in f for f in current), current


def test_a_value_said_again_with_something_new_is_not_merged_into_the_old(memory):
    memory.say("I'm vegetarian.")
    memory.say("I'm vegetarian and allergic to shellfish.", days=10)
    assert any("allergic to shellfish" in f for f in memory.current("fact")), memory.current("fact")


def test_a_value_said_again_is_merged_not_replaced_by_itself(memory):
    memory.say("I live in Berlin.")
    memory.say("I live in Berlin, yes.", days=10)
    facts = memory.everything("fact")
    assert list(facts) == ["The user lives in Berlin (1 March 2024)."]
    assert facts["The user lives in Berlin (1 March 2024)."].status == "activated"
    assert len(facts["The user lives in Berlin (1 March 2024)."].sources) == 2


def test_a_favorite_said_as_a_line_and_later_in_a_sentence_is_one_slot(memory):
    memory.say("Favorite band: Radiohead.")
    memory.say("These days my favorite band is Fontaines D.C., I saw them live twice.", days=10)
    current = memory.current("fact") + memory.current("preference")
    assert not any("Radiohead" in t for t in current) and any("Fontaines" in t for t in current), current


def test_a_raw_message_that_only_said_a_superseded_memory_is_archived_with_it(memory):
    memory.say("I live in Beijing.")
    memory.say("I work at Google. I live in Hangzhou.", days=10)  # says more than where they live
    memory.say("I moved to Shanghai last month.", days=40)
    # no raw message is merged into another; the echo of the old residence follows it
    assert memory.current("raw") == ["[10 April 2024] user: I moved to Shanghai last month (March 2024).",
                                     "[11 March 2024] user: I work at Google. I live in Hangzhou."]
    raws, facts = memory.everything("raw"), memory.everything("fact")
    echo, hangzhou = raws["[1 March 2024] user: I live in Beijing."], facts["The user lives in Hangzhou (11 March 2024)."]
    assert (echo.status, echo.superseded_by) == ("archived", hangzhou.id)
    # the successor's history lists the memory it replaced, not the echo
    assert hangzhou.supersedes == [facts["The user lives in Beijing (1 March 2024)."].id]
    # an older statement arriving last is stored archived, and so is its echo
    memory.say("I live in Nanjing.", days=5)
    assert raws.keys() < memory.everything("raw").keys()
    assert memory.everything("raw")["[6 March 2024] user: I live in Nanjing."].status == "archived"
    assert len(memory.current("raw")) == 2


def test_an_echo_is_found_in_any_time_zone_and_a_message_saying_more_is_not_one(memory):
    from datetime import timezone
    new_york = timezone(timedelta(hours=-5))  # the evening of 1 March there is 2 March in Beijing
    for n, (content, when) in enumerate([("I live in Beijing.", datetime(2024, 3, 1, 20, tzinfo=new_york)),
                                         ("I work at Acme. My sister Anna lives in Lisbon.", T0),
                                         ("I moved to Shanghai last month.", T0 + timedelta(days=40)),
                                         ("I work at Globex now.", T0 + timedelta(days=41))]):
        batch = Batch(task_id=f"tz{n}", project="p", user_id="u", conversation_id=f"tz{n}", accepted_at=0.0,
                      messages=[Message(role="user", content=content, message_index=0, chat_time=when)])
        embedded = embed(extract(batch, OfflineExtractor()).candidates, HashEmbedder())
        memory.apply(batch, resolve(batch, embedded, memory.store, ms(41)), ms(41))
    raws = memory.everything("raw")
    assert raws["[1 March 2024] user: I live in Beijing."].status == "archived"
    assert raws["[1 March 2024] user: I work at Acme. My sister Anna lives in Lisbon."].status == "activated"  # says more


LIKED, DISLIKED = "The user likes jazz.", "The user does not like jazz any more."
LIKE_SAID, LIKE_AGAIN_SAID = ("I like jazz.", 0), ("I like jazz.", 19)
DISLIKE_BETWEEN_SAID, DISLIKE_AFTER_SAID = ("I don't like jazz any more.", 9), ("I don't like jazz any more.", 24)


def jazz(memory) -> tuple[StoredMemory, StoredMemory, list[StoredMemory]]:
    """The current jazz preference, the dislike, and the archived likes."""
    prefs = memory.store.scan(Scope("p", "u", kinds=("preference",), include_archived=True))
    [current] = [m for m in prefs if m.status == "activated"]
    [disliked] = [m for m in prefs if m.text == DISLIKED]
    return current, disliked, [m for m in prefs if m.text == LIKED and m.status == "archived"]


@every_arrival_order(LIKE_SAID, LIKE_AGAIN_SAID, DISLIKE_BETWEEN_SAID)
def test_a_repeat_reaffirms_so_a_statement_said_before_it_never_wins(memory, arrival):
    # Liked (day 0), disliked (day 9), liked again (day 19): whatever the arrival order, the
    # re-affirmation is the last word, even when it merged into the first like before the dislike came.
    arrive(memory, arrival)
    current, disliked, archived_likes = jazz(memory)
    assert (current.text, current.said_at) == (LIKED, ms(19))
    assert (disliked.status, disliked.superseded_by, disliked.valid_to) == ("archived", current.id, ms(9 + 10))
    assert disliked.id in current.supersedes
    # the first like, when kept apart (it was superseded before the repeat came), ends at the dislike
    assert [(m.superseded_by, m.valid_to) for m in archived_likes] in ([], [(disliked.id, ms(9))])
    assert sum(len(m.sources) for m in [current, *archived_likes]) == 2


@every_arrival_order(LIKE_SAID, LIKE_AGAIN_SAID, DISLIKE_AFTER_SAID)
def test_a_statement_said_after_the_repeat_still_wins(memory, arrival):
    arrive(memory, arrival)
    current, disliked, archived_likes = jazz(memory)
    assert current.id == disliked.id and current.supersedes == [archived_likes[0].id]
    [liked] = archived_likes
    assert (liked.superseded_by, liked.valid_to, liked.said_at) == (disliked.id, ms(24), ms(19))
    assert present(liked)["said_time"] == ms(0)  # when first said, as it was shown before the repeat
    assert len(liked.sources) == 2


@pytest.mark.parametrize("batches", [[[LIKE_SAID, DISLIKE_BETWEEN_SAID, LIKE_AGAIN_SAID]],
                                     [[LIKE_SAID, LIKE_AGAIN_SAID, DISLIKE_BETWEEN_SAID]],
                                     [[LIKE_SAID], [DISLIKE_BETWEEN_SAID, LIKE_AGAIN_SAID]]],
                         ids=["one-batch-in-time", "one-batch-out-of-order", "repeat-after-a-dislike-in-its-batch"])
def test_a_repeat_within_one_batch_reaffirms_too(memory, batches):
    for said in batches:
        memory.apply(*memory.plan(*said))
    current, disliked, _ = jazz(memory)
    assert (current.text, current.said_at) == (LIKED, ms(19))
    assert (disliked.status, disliked.superseded_by, disliked.valid_to) == ("archived", current.id, ms(19))


def test_a_redelivered_merge_changes_nothing(memory):
    memory.apply(*memory.plan(LIKE_SAID))
    batch, plan, now = memory.plan(LIKE_AGAIN_SAID)
    [liked] = memory.store.scan(Scope("p", "u", kinds=("preference",)))
    assert plan.merge_said_at == {liked.id: [ms(19)]}
    memory.apply(batch, plan, now)
    merged = memory.everything("preference")
    views = memory.apply(batch, plan, now + 60_000)  # the store task redelivered a minute later
    assert memory.everything("preference") == merged and views.updated == 0
    assert (merged[LIKED].said_at, merged[LIKED].first_said_at, merged[LIKED].update_time) == (ms(19), ms(0), now)
    memory.apply(*memory.plan(DISLIKE_BETWEEN_SAID))
    assert memory.current("preference") == [LIKED]
