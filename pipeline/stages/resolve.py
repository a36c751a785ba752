"""Stage 3: dedupe and conflict resolution against the user's existing memories.

For each candidate, in order:
- the same memory already stored (same deterministic id) -> its sources are merged;
- a near-duplicate (cosine >= NEAR_DUPLICATE among the user's current memories of that kind)
  -> merged into it, no second copy;
- a statement on the same slot (residence, diet, a liked thing...) as a current memory with a
  different content -> the old one is archived, superseded by the new one;
- otherwise -> added.
The result is a WritePlan, saved by the task layer so a retried write applies the same plan."""
from __future__ import annotations

from pipeline.models import Batch, Source, StoredMemory, WritePlan, memory_id
from pipeline.stages.embed import EmbeddedBatch
from pipeline.stores.vector_store import Scope, VectorStore

NEAR_DUPLICATE = 0.93


def _new_sources(existing: list[Source], incoming: list[Source]) -> list[Source]:
    seen = {(s.conversation_id, s.message_index) for s in existing}
    return [s for s in incoming if (s.conversation_id, s.message_index) not in seen]


def resolve(batch: Batch, embedded: EmbeddedBatch, store: VectorStore, now_ms: int) -> WritePlan:
    plan = WritePlan()
    ids = [memory_id(batch.project, batch.user_id, c.kind, c.text) for c in embedded.candidates]
    stored = {m.id: m for m in store.get(ids)}
    planned: dict[str, StoredMemory] = {}

    for i, candidate in enumerate(embedded.candidates):
        mid = ids[i]
        if mid in planned:  # the batch said it twice
            planned[mid].sources += _new_sources(planned[mid].sources, candidate.sources)
            continue
        target = stored.get(mid)
        dense = embedded.dense(i)
        if target is None and candidate.kind != "raw":
            scope = Scope(batch.project, batch.user_id, kinds=(candidate.kind,))
            hits = store.dense_search(scope, dense, limit=1, threshold=NEAR_DUPLICATE)
            if hits and hits[0].memory.id not in plan.archive:
                target = hits[0].memory
        if target is not None:
            fresh = _new_sources(target.sources + plan.merge.get(target.id, []), candidate.sources)
            if fresh:
                plan.merge.setdefault(target.id, []).extend(fresh)
            elif target.id not in plan.merge:
                plan.unchanged.append(target.id)
            continue

        memory = StoredMemory(
            id=mid, project=batch.project, user_id=batch.user_id, kind=candidate.kind, text=candidate.text,
            key=candidate.key, create_time=now_ms, update_time=now_ms, said_at=candidate.said_at,
            conversation_id=batch.conversation_id, agent_id=batch.agent_id, app_id=batch.app_id,
            tags=candidate.tags, info=batch.info, sources=candidate.sources, entities=candidate.entities,
            confidence=candidate.confidence, preference_type=candidate.preference_type,
            reasoning=candidate.reasoning, tool_type=candidate.tool_type,
            tool_used_status=candidate.tool_used_status, experience=candidate.experience,
            slot=candidate.slot, task_ids=[batch.task_id])
        if candidate.slot:
            for old in _same_slot(store, batch, candidate.kind, candidate.slot, dense):
                if old.id != mid and old.id not in plan.archive:
                    plan.archive[old.id] = mid
                    memory.supersedes.append(old.id)
            for other in planned.values():  # an earlier statement in this very batch
                if other.slot == candidate.slot and other.kind == candidate.kind:
                    plan.archive[other.id] = mid
                    memory.supersedes.append(other.id)
        planned[mid] = memory
        plan.add.append(memory)
        plan.add_vectors[mid] = dense
    return plan


def _same_slot(store: VectorStore, batch: Batch, kind: str, slot: str, dense: list[float]) -> list[StoredMemory]:
    scope = Scope(batch.project, batch.user_id, kinds=(kind,))
    return [h.memory for h in store.dense_search(scope, dense, limit=20) if h.memory.slot == slot]
