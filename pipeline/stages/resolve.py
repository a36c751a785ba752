"""Stage 3: dedupe and conflict resolution against the user's existing memories.

For each candidate, in order:
- the same memory already stored or planned (same deterministic id) -> its sources are merged
  (also into an archived one, when this is a repeat said before it was superseded; said after,
  it is current again as a new version);
- a near-duplicate (cosine >= NEAR_DUPLICATE among the user's current memories of that kind,
  saying the same names, numbers and polarity) -> merged into it, no second copy;
- a statement on the same slot (residence, diet, job, a liked thing "pref:jazz"...) as current
  memories with a different content -> an update or a contradiction ("I live in Beijing" ...
  "I moved to Shanghai"; "I like meat" ... "I don't eat meat any more"), settled by when each was
  said (`said_at`), not by when it arrived: batches of one user reach this stage out of order
  (two ingest processes, imports of history, redeliveries). Not when the later of the two names
  nothing new and no change ("a registered nurse" after "a nurse at St Mary's"): that is the same
  value said again, less fully, and both stay;
- a statement that names what it ends ("I sold my Civic", "I'm not into Coldplay any more", "it's
  Saturday, not Friday") -> the current facts and preferences that name it are its rivals, as if
  on one slot (pipeline.extract.endings reads the endings;
  pipeline.stages.rivals finds every kind of rival). The ending is kept with its memory, so a
  memory that arrives after it but was said before it ("I drive a Civic", imported late) is
  stored already archived, superseded by the ending;
- otherwise -> added.
A compound fact ("The user has a cat named Oliver and drives a Prius") archived for one of its
clauses (a slot, an ending) leaves the others current, each then settled as a statement of its own,
said when the compound was, with its sources (the extractor keeps the clauses: Candidate.parts;
pipeline.stages.compounds finds them).

Time order. A memory's said time (`said_at`) is when it was LAST said: a merge re-affirms it,
taking the latest said time of its statements (the write applies it; the first is kept for
display). "I like jazz" (1 May), again (20 May), then "I don't like jazz any more" (10 May)
arriving late: the dislike is older than the re-affirmed like, so it is stored archived.
On a slot, the memory said last is the current one, whatever the arrival order, and
`superseded_by` names the memory that replaced it in time, `valid_to` that memory's said time:
- a statement said at or after every current memory on its slot archives them (superseded by it);
- one said before a current memory on its slot is stored already archived, inserted into the
  slot's chain where it belongs in time: superseded by the next memory said after it (current or
  archived), and the memories on the slot that this next one superseded but that were said before
  the newcomer now point to the newcomer instead. Beijing (1 May) -> Shanghai (10 May), then
  Hangzhou (5 May) arrives: Beijing -> Hangzhou -> Shanghai, Shanghai still current. The chain is
  rebuilt from one scan of the slot's archived memories, made only on such an out-of-order arrival.
- statements said at the same moment keep arrival order: the later one replaces the earlier.
A judge's "update" (the Claude resolver) gets the same guard: a new memory said before one it
would supersede is archived, superseded by it; it never makes the older statement current.
Without a slot there is no chain to repair: it is superseded by the earliest later memory.

Raw messages are the no-loss layer: deduplicated by id only, never merged or superseded in their
own right. But a raw message that says no more than a memory superseded from it ("I live in
Beijing.") is that memory's echo (pipeline.stages.echoes finds them): left current, search would
answer the old value beside the new one, and often above it. It is archived with the memory,
superseded by the same successor, and stays readable (get/memory/{id}, a status filter); a
message that says more stays current.
A judge (the Claude resolver) may replace the near-duplicate and slot rules against stored
memories with its own decisions; the merging, archiving, time order and in-batch rules stay these.
The result is a WritePlan, saved by the task layer so a retried write applies the same plan."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.extract.updates import CHANGE_WORDS, values_in
from pipeline.filters import Eq
from pipeline.models import Batch, Candidate, Source, StoredMemory, WritePlan, memory_id
from pipeline.stages.compounds import REMAINDER_ROUNDS, compound_remainders
from pipeline.stages.echoes import archive_echoes
from pipeline.stages.embed import EmbeddedBatch
from pipeline.stages.rivals import (NEGATION, SAID_DATE, ended_by, enders_of, liked_foods_a_diet_excludes, same_slot,
                                    slot_kinds, stored_enders)
from pipeline.stages.write import reaffirm
from pipeline.stores import lexical
from pipeline.stores.vector_store import Scope, VectorStore

NEAR_DUPLICATE = 0.93
SLOT_HISTORY_SCAN_LIMIT = 1000
_MARKER = re.compile(r"\b(?:[A-Z][\w'-]+|\d[\d.,:]*)")


def _markers(text: str) -> tuple[frozenset[str], bool]:
    """What two paraphrases must share to be one memory: names and numbers (the said-date
    suffix aside: the same fact said on two days is one fact) and polarity."""
    body = SAID_DATE.sub("", text)
    names = {m.lower().removesuffix("'s") for m in _MARKER.findall(body[1:])}
    negated = len(NEGATION.findall(body)) % 2 == 1
    return frozenset(names), negated


def _says_the_same_value(later: str, earlier: str, slot: str | None = None) -> bool:
    """On a slot, a later statement whose names, numbers, occupations and states all appear in the
    earlier one, with the same polarity and no word of change ("now", "left", "laid off"), says the
    same value again, less fully: "The user is a registered nurse, night shifts are tiring" after
    "The user is a nurse at St Mary's" leaves the hospital current. One that names anything new ("a
    nurse now" after "a teacher", "working at Stripe", "30") replaces it. Decided by said time, not
    arrival, so both arrival orders agree."""
    names, negated = _markers(later)
    # _markers skips the first word (a capital that only opens the sentence); here a name there
    # counts: "Severance has replaced The Office as the user's favourite show"
    first = later.split(" ", 1)[0].strip(".,!?;:'\"")
    opening = {first.lower()} if first[:1].isupper() and lexical.content_terms(first) else set()
    value = set(names) | opening | values_in(SAID_DATE.sub("", later), slot)
    old_names, old_negated = _markers(earlier)
    if not value or negated != old_negated or CHANGE_WORDS.search(later):
        return False
    body = SAID_DATE.sub("", earlier)
    words = {w.lower().removesuffix("'s") for w in re.findall(r"[\w'-]+", body)} | set(old_names) | values_in(body, slot)
    # a plural says the same ("nights" of "night shifts")
    return {w.removesuffix("s") for w in value} <= {w.removesuffix("s") for w in words}


def _replaces(memory: StoredMemory, rival: StoredMemory) -> bool:
    """Whether two memories on one slot say different values (a liked thing's slot is its value:
    only its polarity can change, and the slot rules read that)."""
    if not memory.slot or memory.slot.startswith("pref:"):
        return True
    later, earlier = (memory, rival) if memory.said_at >= rival.said_at else (rival, memory)
    return not _says_the_same_value(later.text, earlier.text, memory.slot)


def same_content(a: str, b: str) -> bool:
    return _markers(a) == _markers(b)


def _new_sources(existing: list[Source], incoming: list[Source]) -> list[Source]:
    seen = {(s.conversation_id, s.message_index) for s in existing}
    return [s for s in incoming if (s.conversation_id, s.message_index) not in seen]


def _near_duplicate(store: VectorStore, batch: Batch, candidate: Candidate, dense: list[float],
                    plan: WritePlan) -> StoredMemory | None:
    scope = Scope(batch.project, batch.user_id, kinds=(candidate.kind,))
    for hit in store.dense_search(scope, dense, limit=3, threshold=NEAR_DUPLICATE):
        if hit.memory.id not in plan.archive and same_content(hit.memory.text, candidate.text):
            return hit.memory
    return None


def _archived_near_duplicate(store: VectorStore, plan: WritePlan, planned: dict[str, StoredMemory], batch: Batch,
                             candidate: Candidate, dense: list[float]) -> StoredMemory | None:
    """A near-duplicate on the candidate's slot that a later statement already archived, when the
    candidate too was said before that statement ("I love jazz" and "I really love jazz!" arriving
    after "I don't like jazz any more"): the repeat joins it, archived, rather than a second copy."""
    if not candidate.slot:
        return None
    scope = Scope(batch.project, batch.user_id, kinds=(candidate.kind,), include_archived=True)
    for hit in store.dense_search(scope, dense, limit=3, threshold=NEAR_DUPLICATE):
        old = hit.memory
        if old.status == "archived" and old.slot == candidate.slot and same_content(old.text, candidate.text) \
                and not _superseded_later(store, plan, planned, old, candidate):
            return old
    return None


_SAID_AGAIN = lexical.content_terms("yes yeah still really actually now currently indeed definitely again just "
                                    "know reminder already")


def _restated(candidate: Candidate, plan: WritePlan, current_on_slot: list[StoredMemory]) -> StoredMemory | None:
    """The memory of `current_on_slot` (the user's current ones on the candidate's slot) that the
    candidate says again, with the same names and numbers and every word of it ("lives in Berlin"
    ... "lives in Berlin, yes"): a repeat to merge, not a new value to replace it with (that would
    end the old one the day it was repeated)."""
    if not current_on_slot:
        return None
    said = lexical.content_terms(SAID_DATE.sub("", candidate.text))
    for old in current_on_slot:
        if old.id not in plan.archive and old.said_at <= candidate.said_at and \
                same_content(old.text, candidate.text) and \
                bool(NEGATION.search(old.text)) == bool(NEGATION.search(candidate.text)):
            before = lexical.content_terms(SAID_DATE.sub("", old.text))
            if before <= said and said - before <= _SAID_AGAIN:  # nothing new but "yes", "still"...
                return old
    return None


def _new_memory(batch: Batch, candidate: Candidate, mid: str, now_ms: int) -> StoredMemory:
    return StoredMemory(
        id=mid, project=batch.project, user_id=batch.user_id, kind=candidate.kind, text=candidate.text,
        # create_time is the memory's time, when it was said (the Add Message doc: imported history
        # "keeps a more accurate timeline" through chat_time), so time filters find imported
        # memories by when things happened; update_time is when memq last wrote it
        key=candidate.key, create_time=int(candidate.said_at), update_time=now_ms, said_at=candidate.said_at,
        conversation_id=batch.conversation_id, agent_id=batch.agent_id, app_id=batch.app_id,
        tags=candidate.tags, info=batch.info, sources=candidate.sources, entities=candidate.entities,
        confidence=candidate.confidence, preference_type=candidate.preference_type,
        reasoning=candidate.reasoning, tool_type=candidate.tool_type,
        tool_used_status=candidate.tool_used_status, experience=candidate.experience,
        slot=candidate.slot, ends=candidate.ends, parts=candidate.parts, reply_to=candidate.reply_to,
        task_ids=[batch.task_id])


def _supersede(plan: WritePlan, memory: StoredMemory, olds: list[StoredMemory]) -> None:
    for old in olds:
        if old.id != memory.id and old.id not in plan.archive:
            plan.archive[old.id] = memory.id
            memory.supersedes.append(old.id)


def _successor_id(plan: WritePlan, memory: StoredMemory) -> str | None:
    return plan.archive.get(memory.id) or memory.superseded_by


def _said(plan: WritePlan, memory: StoredMemory) -> float:
    """When `memory` was last said, counting the statements this plan merges into it."""
    return max([memory.said_at, *plan.merge_said_at.get(memory.id, [])])


def _slot_chain(store: VectorStore, batch: Batch, memory: StoredMemory, plan: WritePlan,
                planned: dict[str, StoredMemory]) -> list[StoredMemory]:
    """The memories on `memory`'s slot that something superseded (stored, or by this plan); one
    scan, made only when a statement arrives after a later one on its slot."""
    kinds = slot_kinds(memory.kind, memory.slot)
    scope = Scope(batch.project, batch.user_id, kinds=kinds, include_archived=True)
    found = {m.id: m for m in store.scan(scope, Eq("slot", memory.slot), limit=SLOT_HISTORY_SCAN_LIMIT)}
    found.update({m.id: m for m in planned.values() if m.kind in kinds and m.slot == memory.slot})
    return [m for m in found.values() if m.id != memory.id and _successor_id(plan, m)]


def _repoint(plan: WritePlan, planned: dict[str, StoredMemory], old: StoredMemory, new: StoredMemory) -> None:
    """`old`, already superseded, is now superseded by `new`, said between the two. A stored
    previous successor drops it at write; a planned one here."""
    previous = plan.archive.get(old.id)
    if previous in planned:
        planned[previous].supersedes.remove(old.id)
    plan.archive[old.id] = new.id
    new.supersedes.append(old.id)


def _place(store: VectorStore, batch: Batch, plan: WritePlan, planned: dict[str, StoredMemory],
           memory: StoredMemory, rivals: list[StoredMemory]) -> None:
    """Settle `memory` against the current memories it conflicts with, by said time: it
    supersedes those said at or before it; if one was said after it, it is archived in its place
    in time (see the module's docstring)."""
    live = {r.id: r for r in rivals if r.id != memory.id and r.id not in plan.archive}
    _supersede(plan, memory, [r for r in live.values() if _said(plan, r) <= memory.said_at])
    later = [r for r in live.values() if _said(plan, r) > memory.said_at]
    if not later:
        return
    chain = _slot_chain(store, batch, memory, plan, planned) if memory.slot else []
    successor = min(later + [m for m in chain if _said(plan, m) > memory.said_at], key=lambda m: _said(plan, m))
    plan.archive[memory.id] = successor.id
    if successor.id in planned:
        planned[successor.id].supersedes.append(memory.id)
    for earlier in chain:
        if _said(plan, earlier) <= memory.said_at and _successor_id(plan, earlier) == successor.id:
            _repoint(plan, planned, earlier, memory)


def _superseded_later(store: VectorStore, plan: WritePlan, planned: dict[str, StoredMemory],
                      memory: StoredMemory, candidate: Candidate) -> bool:
    """`memory` is archived (stored so, or by this plan) and the candidate repeating it was not
    said before the memory that superseded it (if any still is): a new version, not a merge."""
    if memory.status != "archived" and memory.id not in plan.archive:
        return False
    successor_id = _successor_id(plan, memory)
    successor = (planned.get(successor_id) or next(iter(store.get([successor_id])), None)) if successor_id else None
    return successor is None or candidate.said_at >= _said(plan, successor)


@dataclass
class Decision:
    """A judge's decision on one new memory: merge it into `duplicate_of`, add it superseding
    `supersedes`, or drop it (`skip`: the raw messages still hold what was said); else add it."""
    duplicate_of: StoredMemory | None = None
    supersedes: list[StoredMemory] = field(default_factory=list)
    skip: bool = False


class Resolver(Protocol):
    def resolve(self, batch: Batch, embedded: EmbeddedBatch, store: VectorStore, now_ms: int) -> WritePlan: ...


class OfflineResolver:
    def resolve(self, batch: Batch, embedded: EmbeddedBatch, store: VectorStore, now_ms: int) -> WritePlan:
        return resolve(batch, embedded, store, now_ms)


def candidate_ids(batch: Batch, embedded: EmbeddedBatch) -> list[str]:
    return [memory_id(batch.project, batch.user_id, c.kind, c.text) for c in embedded.candidates]


def stored_as(batch: Batch, embedded: EmbeddedBatch, store: VectorStore) -> dict[str, StoredMemory]:
    """The memories already stored under the candidates' ids."""
    return {m.id: m for m in store.get(candidate_ids(batch, embedded))}


def resolve(batch: Batch, embedded: EmbeddedBatch, store: VectorStore, now_ms: int,
            decisions: dict[int, Decision] | None = None,
            stored: dict[str, StoredMemory] | None = None) -> WritePlan:
    """`decisions`, by candidate position, stand in for the rules against stored memories for
    the candidates they cover (those with no current memory of the same id). `stored`: what
    `stored_as` returns, when the caller has read it already."""
    plan = WritePlan()
    decisions = decisions or {}
    ids = candidate_ids(batch, embedded)
    stored = dict(stored) if stored is not None else stored_as(batch, embedded, store)  # (remainders add to it)
    planned: dict[str, StoredMemory] = {}
    enders: list[StoredMemory] | None = None  # the user's stored endings, read when first needed

    def take(candidate: Candidate, mid: str, dense: list[float], proposed: Decision | None,
             siblings: frozenset[str] = frozenset()) -> None:
        """Settle one candidate into the plan; `siblings`: memories it never replaces (the other
        clauses of its compound)."""
        nonlocal enders
        target = planned.get(mid) or stored.get(mid)
        version = candidate.text
        while target is not None and _superseded_later(store, plan, planned, target, candidate):
            # said again after it was superseded: it is current again, as a new version
            version += f"\x1f{batch.task_id}"
            mid = memory_id(batch.project, batch.user_id, candidate.kind, version)
            target = planned.get(mid)
        if target is not None and target.id in planned:  # the batch said it twice
            target.sources += _new_sources(target.sources, candidate.sources)
            reaffirm(target, [candidate.said_at])
            return
        decision = proposed if target is None else None
        current_on_slot: list[StoredMemory] = []  # read once: for a repeat here, as rivals below
        if decision is not None:
            if decision.skip:
                return
            if decision.duplicate_of is not None and decision.duplicate_of.id not in plan.archive:
                target = decision.duplicate_of
        elif target is None and candidate.kind != "raw":
            if candidate.slot:
                current_on_slot = same_slot(store, batch, candidate.kind, candidate.slot)
            target = _near_duplicate(store, batch, candidate, dense, plan) or \
                _restated(candidate, plan, current_on_slot) or \
                _archived_near_duplicate(store, plan, planned, batch, candidate, dense)
        if target is not None:
            fresh = _new_sources(target.sources + plan.merge.get(target.id, []), candidate.sources)
            if fresh:
                plan.merge.setdefault(target.id, []).extend(fresh)
                plan.merge_said_at.setdefault(target.id, []).append(candidate.said_at)
            elif target.id not in plan.merge:
                plan.unchanged.append(target.id)
            return

        memory = _new_memory(batch, candidate, mid, now_ms)
        on_slot = bool(candidate.slot) and candidate.kind != "raw"
        rivals = list(decision.supersedes) if decision is not None else []
        if on_slot:
            if decision is None:
                rivals += [m for m in current_on_slot if _replaces(memory, m)]
                rivals += liked_foods_a_diet_excludes(store, batch, candidate)
            # an earlier statement in this very batch
            rivals += [m for m in planned.values() if m.slot == candidate.slot and m.id not in siblings and
                       m.kind in slot_kinds(candidate.kind, candidate.slot) and _replaces(memory, m)]
        if candidate.ends and candidate.kind != "raw":
            rivals += ended_by(store, batch, candidate, planned, stored=decision is None)
        if decision is None and candidate.kind in ("fact", "preference"):
            if enders is None:
                enders = stored_enders(store, batch)
            # stored endings, and this batch's said after it (a batch's messages need not be in time order)
            rivals += enders_of(memory, enders + [m for m in planned.values() if m.ends])
        _place(store, batch, plan, planned, memory, rivals)
        planned[mid] = memory
        plan.add.append(memory)
        plan.add_vectors[mid] = dense

    for i, candidate in enumerate(embedded.candidates):
        take(candidate, ids[i], embedded.dense(i), decisions.get(i))
    # A compound fact archived for one of its clauses leaves the others current, each settled as a
    # statement of its own, said when the compound was (which may archive more: a few rounds)
    settled: set[str] = set()
    for _ in range(REMAINDER_ROUNDS):
        remainders = compound_remainders(store, plan, planned, settled)
        if not remainders:
            break
        ids_of = [[memory_id(batch.project, batch.user_id, c.kind, c.text) for c, _ in group] for group in remainders]
        stored.update({m.id: m for m in store.get([mid for group in ids_of for mid in group if mid not in planned])})
        for group, group_ids in zip(remainders, ids_of):
            for (candidate, dense), mid in zip(group, group_ids):
                take(candidate, mid, dense, None, siblings=frozenset(group_ids))
    archive_echoes(batch, store, plan, planned)
    return plan
