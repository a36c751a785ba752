"""Who a new memory competes with, for stage 3 (pipeline.stages.resolve): the user's current
memories it may replace or end. Finding them is this module; settling them by said time is resolve's.
- on its slot (residence, diet, job, "pref:jazz"...): an exact filtered scan of the slot;
- a diet's: the liked foods it excludes, and the diet before it;
- a statement's endings ("I sold my Civic"): the current facts and preferences that name what it ends;
- a memory's stored endings said after it, when it arrives late: the statements that end it."""
from __future__ import annotations

import functools
import re

from pipeline.extract.english import past_form
from pipeline.extract.endings import (CORRECTION_MARK, DIET_MARK, JOB_MARK, MATTER_MARKS, PROVIDER_MARK,
                                      RELATIONSHIP_MARK, SCHOOL_MARK)
from pipeline.filters import Eq
from pipeline.models import Batch, Candidate, StoredMemory
from pipeline.stores import lexical
from pipeline.stores.vector_store import ENDS_FLAG, Scope, VectorStore

SLOT_SCAN_LIMIT = 50
# the " (20 May 2023)" a fact ends with: when it was said, not what it says
SAID_DATE = re.compile(r"\s*\(\d{1,2} \w+ \d{4}\)")
NEGATION = re.compile(r"\b(not|no|never|don't|doesn't|didn't|isn't|wasn't|can't|won't|no longer|any ?more|"
                      r"dislikes?|hates?|stopped|quit)\b", re.I)


def same_slot(store: VectorStore, batch: Batch, kind: str, slot: str) -> list[StoredMemory]:
    """Every current memory of this user on the slot: an exact filtered scan, not a similarity
    guess ("lives in Beijing" and "moved to Shanghai" are not close neighbours)."""
    return store.scan(Scope(batch.project, batch.user_id, kinds=slot_kinds(kind, slot)), Eq("slot", slot),
                      limit=SLOT_SCAN_LIMIT)


def slot_kinds(kind: str, slot: str) -> tuple[str, ...]:
    """A favourite is said as a line ("Favorite band: X", a preference) or in a sentence ("these days
    my favorite band is Y", a fact): one slot across both kinds. Other slots hold one kind."""
    return ("fact", "preference") if slot.startswith("favorite:") else (kind,)


# A diet said of oneself ("I'm vegan now") ends the likes of what it excludes ("likes steak"), as
# "I don't eat meat any more" ends "likes meat" by its slot. Said before the diet, they are archived;
# a like said after it stays (the later word wins).
_MEAT = set("meat meats steak steaks beef pork bacon ham chicken turkey lamb burger burgers hamburgers sausage "
            "sausages salami barbecue bbq ribs veal duck".split())
_FISH = set("fish seafood sushi sashimi salmon tuna shrimp prawns crab lobster oysters shellfish".split())
_ANIMAL = set("cheese milk dairy eggs egg butter yogurt honey ice cream".split())
DIET_EXCLUDES = {"pref:vegan": _MEAT | _FISH | _ANIMAL, "pref:vegetarian": _MEAT | _FISH, "pref:pescatarian": _MEAT}
DIET_SCAN_LIMIT = 500


def liked_foods_a_diet_excludes(store: VectorStore, batch: Batch, candidate: Candidate) -> list[StoredMemory]:
    """...and a diet ends the diet before it ("I'm vegetarian" ... "I'm vegan now")."""
    excluded = DIET_EXCLUDES.get(candidate.slot or "") if candidate.kind == "preference" else None
    if not excluded:
        return []
    likes = store.scan(Scope(batch.project, batch.user_id, kinds=("preference",)), limit=DIET_SCAN_LIMIT)
    return [m for m in likes if m.slot and (
        (m.slot in DIET_EXCLUDES and m.slot != candidate.slot)
        or (not NEGATION.search(m.text) and set(m.slot.removeprefix("pref:").split()) & excluded))]


# "I sold my Civic", "I'm not into Coldplay any more": the statement names the old value it ends
# (pipeline.extract.endings). The user's current facts and preferences that name it all, in its
# stemmed content words, are settled against the statement like rivals on a slot, by said time.
ENDS_SEARCH_LIMIT = 200  # memories looked at per ending, best keyword matches first
_USER_TERMS = lexical.content_terms("the user")


# (what, its terms, the matter a correction is on, the matter a bound ending is on: see _on_matter)
Ending = tuple[str, frozenset[str], frozenset[str] | None, str | None]


def statement_endings(text: str, ends: list[str]) -> list[Ending]:
    """A statement's endings, each as the stemmed terms a memory must have all of to be ended."""
    # the statement's own words (not "the user", a name or a date, which any memory shares)
    statement = lexical.content_terms(_DATES.sub(" ", text)) - _USER_TERMS
    endings = []
    for ending in ends:
        corrected = ending.startswith(CORRECTION_MARK)
        matter = next((mark for mark in MATTER_MARKS if ending.startswith(mark)), None)
        thing = ending.removeprefix(CORRECTION_MARK).removeprefix(matter or "")
        if terms := lexical.content_terms(thing):
            # a corrected value ("Friday") ends only a memory on the same matter ("flight")
            endings.append((thing, frozenset(terms), frozenset(statement - terms) if corrected else None, matter))
    return endings


# What the matter of a bound ending (pipeline.extract.endings.MATTER_MARKS) is, in a memory: its
# slot, or for a couple, a word that names them one ("Jonah is my boyfriend", "moving in with my partner")
_COUPLE = lexical.content_terms("boyfriend girlfriend partner husband wife fiance fiancee fiancé fiancée spouse dating "
                                "married engaged together relationship bf gf hubby wifey seeing")
_MATTER_SLOTS = {RELATIONSHIP_MARK: ("relationship",),
                 DIET_MARK: ("diet", "pref:vegan", "pref:vegetarian", "pref:pescatarian"),
                 JOB_MARK: ("job", "workplace"), SCHOOL_MARK: ("school",), PROVIDER_MARK: ()}


def _on_slot_of(matter: str | None, slots: frozenset[str | None]) -> bool:
    if matter == PROVIDER_MARK:  # any who serves one: "provider:bank", "provider:doctor"...
        return any(slot and slot.startswith(PROVIDER_MARK) for slot in slots)
    return matter is not None and any(slot in _MATTER_SLOTS[matter] for slot in slots)


def _on_matter(matter: str | None, slots: frozenset[str | None], words: set[str]) -> bool:
    if matter is None:
        return True
    return _on_slot_of(matter, slots) or (matter == RELATIONSHIP_MARK and bool(_COUPLE & words))


def memory_slots(memory: StoredMemory) -> frozenset[str | None]:
    """A memory's slot and its clauses' (a compound's ending may be on any of them)."""
    return frozenset([memory.slot, *(part.slot for part in memory.parts)])


def _is_ended(memory: StoredMemory, endings: list[Ending]) -> bool:
    """Whether `memory` says what one of `endings` ends, and is a state that can end: an event told
    ("Max and the user went to the beach") stays true after "Max passed away"."""
    return memory.kind in ("fact", "preference") and says_what_ends(memory.text, endings, memory_slots(memory))


def says_what_ends(text: str, endings: list[Ending], slots: frozenset[str | None] = frozenset()) -> bool:
    """Whether a memory's text (on `slots`) names all of one ending's terms (and, for a correction,
    its matter; for a bound ending, is on its matter), and tells a state, not a past event (on a
    bound ending's slot, an event is the state it set: "got promoted at Shopify" is the job)."""
    if not endings:
        return False
    words = lexical.content_terms(SAID_DATE.sub("", text))
    told = _tells_of_the_past(text)
    return any(terms <= words and (also is None or also & words) and _on_matter(matter, slots, words) and
               (not told or _on_slot_of(matter, slots)) for _, terms, also, matter in endings)


def ended_by(store: VectorStore, batch: Batch, candidate: Candidate, planned: dict[str, StoredMemory],
              stored: bool = True) -> list[StoredMemory]:
    """The current memories naming what `candidate` ends: stored ones (unless a judge decided
    for it) and earlier ones of this batch ("my flight is on Friday ... no, Saturday, not Friday")."""
    endings = statement_endings(candidate.text, candidate.ends)
    if not endings:
        return []
    # of this batch, only what was said before: the same message's other copies ("does not like
    # horror movies any more" as a preference) say the same thing, they are not what it ends
    first = min(s.message_index for s in candidate.sources)
    pool = {m.id: m for m in planned.values() if m.kind in ("fact", "preference") and
            (m.said_at, max(s.message_index for s in m.sources)) < (candidate.said_at, first)}
    if stored:
        # found by their words (keyword search ranks every memory that has them), not by a scan
        scope = Scope(batch.project, batch.user_id, kinds=("fact", "preference"))
        for thing, _, _, _ in endings:
            pool.update({hit.memory.id: hit.memory for hit in store.lexical_search(scope, thing, ENDS_SEARCH_LIMIT)})
    # only what was true until the statement: said before it
    return [m for m in pool.values() if m.said_at <= candidate.said_at and _is_ended(m, endings)]


# The other arrival order: the ending is stored first ("I sold the Civic", 10 May) and what it ends
# comes later ("I drive a Civic", said 1 May: an import, a second worker, a redelivery). Statements
# with endings keep them (StoredMemory.ends, flagged in the payload for a filtered scan), so the
# late memory is settled against every ending said after it.
ENDERS_SCAN_LIMIT = 500


def stored_enders(store: VectorStore, batch: Batch) -> list[StoredMemory]:
    """The user's current memories that end something: read once per batch."""
    return store.scan(Scope(batch.project, batch.user_id, kinds=("fact", "preference")), Eq(ENDS_FLAG, ENDS_FLAG),
                      limit=ENDERS_SCAN_LIMIT)


def enders_of(memory: StoredMemory, enders: list[StoredMemory]) -> list[StoredMemory]:
    """Those of `enders` said after `memory` that end it."""
    return [e for e in enders if e.said_at > memory.said_at and e.id != memory.id and
            _is_ended(memory, _stored_endings(e.text, tuple(e.ends)))]


@functools.lru_cache(maxsize=4096)
def _stored_endings(text: str, ends: tuple[str, ...]) -> list[Ending]:
    """statement_endings of a stored ender: read for every candidate of a batch, parsed once."""
    return statement_endings(text, list(ends))


_DATES = re.compile(r"\b(?:\d+(?:st|nd|rd|th)?|(?:Jan|Febr)uary|March|April|May|June|July|August|September|October|"
                    r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_PRESENT_VERB = {"is", "are", "has", "have", "does", "do", "can", "will", "'s"}


def _tells_of_the_past(text: str) -> bool:
    """Whether a memory's first verb is in the past ("The user's mom taught them to bake"): an event
    that stays told, where a state ("The user has a golden retriever named Max") can end."""
    for word in text.split()[1:9]:
        low = word.lower().strip(".,!?;:")
        if low in _PRESENT_VERB or (low.endswith("s") and not low.endswith(("ss", "'s")) and len(low) > 3
                                    and low not in ("always", "perhaps", "was", "his", "this", "its", "yes")):
            return False
        if past_form(low):
            return True
    return False
