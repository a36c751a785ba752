"""The Claude resolver, used when ANTHROPIC_API_KEY is set: dedupe and conflict resolution by
one tool-use call per batch.

Offline first: for each new fact or preference that is not already a current memory (same id),
the user's current memories most like it (dense search) and those on its slot. Only the new
memories with such neighbours are sent, numbered 1..n, the existing ones E1..Em (never their
UUIDs: short ids are cheap to read and hard to garble; they are mapped back here). The model
decides for each new memory: add, duplicate (of one existing), update (superseding existing
ones) or skip. The decisions feed the offline resolver's WritePlan (pipeline/stages/resolve.py),
so merging sources, archiving with valid_to and superseded_by are the same, and so is the time
order: an update whose new memory was said before one it supersedes (batches resolved out of
order, imports of history) stores the new one archived, superseded by the later one, which stays
current. No new memory with a neighbour: no call, no tokens.

Failures as in the extractor: 429/5xx/timeouts are TransientError (the task layer retries); an
answer that does not validate, names an unknown id or leaves a new memory undecided is
EXTRACTION_FAILED (50142), a failed stage with its reason."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import anthropic
from pydantic import BaseModel, Field, model_validator

from memq.settings import Settings
from pipeline.chat_time import BEIJING, format_chat_time
from pipeline.extract.claude import call_tool, client_for, malformed
from pipeline.models import Batch, Candidate, StoredMemory, WritePlan
from pipeline.stages.embed import EmbeddedBatch
from pipeline.stages.resolve import Decision, candidate_ids, resolve, stored_as
from pipeline.stages.rivals import same_slot
from pipeline.stores.vector_store import Scope, VectorStore

TOOL_NAME = "resolve_memories"
JUDGED_KINDS = ("fact", "preference")
NEIGHBOURS = 5
# Well below the offline near-duplicate bar (0.93): the model is asked precisely about the pairs
# that rules cannot settle, such as "lives in Beijing" and "moved to Shanghai".
NEIGHBOUR_SIMILARITY = 0.5

SYSTEM = """You keep a user's long-term memories consistent for a memory service. New memories were
just extracted from a conversation; each is listed with the user's existing memories most like it.
Call the resolve_memories tool exactly once, with one decision per new memory:
- add: it tells something the existing memories do not (another event, another detail, another
  time) and makes none of them untrue.
- duplicate: one existing memory already says the same thing (a paraphrase with the same people,
  places, numbers, polarity and time). existing: [that id]. Its sources are merged, no copy is kept.
- update: it changes or contradicts existing memories that are no longer true ("moved to Shanghai"
  after "lives in Beijing"; "doesn't eat meat any more" after "likes meat"; a new job, partner or
  opinion). existing: the ids of every memory it makes out of date. They are archived. Judge by
  subject, not by date: when the new memory was said before an existing one it conflicts with,
  still answer update; the service keeps whichever was said last current.
- skip: it adds nothing worth keeping beyond the existing memories.
Refer to new memories by their number and to existing ones by their E-id, exactly as listed."""


class LlmDecision(BaseModel):
    new: int = Field(ge=1, description="the new memory's number")
    action: Literal["add", "duplicate", "update", "skip"]
    existing: list[str] = Field(default_factory=list,
                                description="E-ids: the one duplicated, or those the update supersedes")

    @model_validator(mode="after")
    def _names_what_the_action_needs(self) -> "LlmDecision":
        if self.action == "duplicate" and len(self.existing) != 1:
            raise ValueError("a duplicate names exactly one existing memory")
        if self.action == "update" and not self.existing:
            raise ValueError("an update names the existing memories it supersedes")
        return self


class LlmDecisions(BaseModel):
    decisions: list[LlmDecision]


@dataclass
class Judged:
    """A new memory the model is asked about, with its neighbours' E-ids."""
    index: int  # position in the embedded batch
    candidate: Candidate
    neighbours: list[str] = field(default_factory=list)


def _said(ms: float) -> str:
    return format_chat_time(datetime.fromtimestamp(ms / 1000, BEIJING))


class ClaudeResolver:
    name = "claude"

    def __init__(self, settings: Settings, client: anthropic.Anthropic | None = None):
        self.model = settings.llm_model
        self.client = client or client_for(settings)

    def resolve(self, batch: Batch, embedded: EmbeddedBatch, store: VectorStore, now_ms: int) -> WritePlan:
        stored = stored_as(batch, embedded, store)  # read once, for the judge and the rules
        judged, existing = self._neighbourhoods(batch, embedded, store, stored)
        asked = [j for j in judged if j.neighbours]
        decisions = {j.index: Decision() for j in judged}  # no neighbour: a plain add
        usage = (0, 0)
        if asked:
            answer, usage = call_tool(self.client, self.model, SYSTEM, _prompt(asked, existing), TOOL_NAME,
                                      "Record one decision per new memory.", LlmDecisions)
            decisions.update(_decisions(answer, asked, existing))
        plan = resolve(batch, embedded, store, now_ms, decisions, stored)
        plan.input_tokens, plan.output_tokens = usage
        return plan

    def _neighbourhoods(self, batch: Batch, embedded: EmbeddedBatch, store: VectorStore,
                        stored: dict[str, StoredMemory]) -> tuple[list[Judged], dict[str, StoredMemory]]:
        """The new facts and preferences, and the current memories like them under E-ids
        (numbered in the order first met, each once however many new memories it neighbours)."""
        ids = candidate_ids(batch, embedded)
        current = {mid for mid, m in stored.items() if m.status == "activated"}
        scope = Scope(batch.project, batch.user_id, kinds=JUDGED_KINDS)
        judged: list[Judged] = []
        existing: dict[str, StoredMemory] = {}
        e_id: dict[str, str] = {}
        seen: set[str] = set()
        for i, candidate in enumerate(embedded.candidates):
            if candidate.kind not in JUDGED_KINDS or ids[i] in current or ids[i] in seen:
                continue  # the same memory again is merged by rule: nothing to judge
            seen.add(ids[i])
            near = [h.memory for h in store.dense_search(scope, embedded.dense(i), limit=NEIGHBOURS,
                                                         threshold=NEIGHBOUR_SIMILARITY)]
            if candidate.slot:
                near += same_slot(store, batch, candidate.kind, candidate.slot)
            item = Judged(i, candidate)
            for memory in near:
                if memory.id not in e_id:
                    e_id[memory.id] = f"E{len(e_id) + 1}"
                    existing[e_id[memory.id]] = memory
                if e_id[memory.id] not in item.neighbours:
                    item.neighbours.append(e_id[memory.id])
            judged.append(item)
        return judged, existing


def _prompt(asked: list[Judged], existing: dict[str, StoredMemory]) -> str:
    lines = ["Existing memories (id, kind, said on):"]
    lines += [f"{eid} ({m.kind}, {_said(m.said_at)}) {m.text}" for eid, m in existing.items()]
    lines += ["", "New memories (number, kind, said on), each followed by the existing memories most like it:"]
    for n, item in enumerate(asked, start=1):
        lines.append(f"{n} ({item.candidate.kind}, {_said(item.candidate.said_at)}) {item.candidate.text}")
        lines.append(f"   like: {', '.join(item.neighbours)}")
    return "\n".join(lines)


def _decisions(answer: LlmDecisions, asked: list[Judged],
               existing: dict[str, StoredMemory]) -> dict[int, Decision]:
    out: dict[int, Decision] = {}
    for n, decision in enumerate(answer.decisions):
        if not 1 <= decision.new <= len(asked):
            raise malformed(f"decisions.{n}.new", f"no new memory {decision.new}")
        unknown = [e for e in decision.existing if e not in existing]
        if unknown:
            raise malformed(f"decisions.{n}.existing", f"no existing memory {unknown[0]}")
        index = asked[decision.new - 1].index
        if index in out:
            raise malformed(f"decisions.{n}.new", f"new memory {decision.new} decided twice")
        targets = [existing[e] for e in dict.fromkeys(decision.existing)]
        out[index] = Decision(duplicate_of=targets[0] if decision.action == "duplicate" else None,
                              supersedes=targets if decision.action == "update" else [],
                              skip=decision.action == "skip")
    undecided = [n for n, item in enumerate(asked, start=1) if item.index not in out]
    if undecided:
        raise malformed("decisions", f"no decision for new memory {undecided[0]}")
    return out
