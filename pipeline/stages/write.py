"""Stage 4: apply a WritePlan to the vector store and the user's graph.

Every step is idempotent (deterministic ids, set-union of sources, a merge's said times taken by
min and max, archive is a status, and a superseded memory is only ever re-pointed to a successor
said nearer in time), so a write redelivered after a crash ends in the same state as one that ran
once."""
from __future__ import annotations

from pipeline.models import Batch, MemoryViews, StoredMemory, WritePlan, user_scope
from pipeline.presenters import version
from pipeline.stores import graph_store
from pipeline.stores.graph_store import GraphStore
from pipeline.stores.vector_store import VectorStore


def write(batch: Batch, plan: WritePlan, vectors: VectorStore, graphs: GraphStore, now_ms: int) -> MemoryViews:
    views = MemoryViews()
    new_by_id = {m.id: m for m in plan.add}
    linked = [mid for pair in plan.archive.items() for mid in pair if mid not in new_by_id]
    existing = {m.id: m for m in vectors.get(list(dict.fromkeys(list(plan.merge) + linked)))}
    by_id = lambda mid: new_by_id.get(mid) or existing.get(mid)
    changed: dict[str, StoredMemory] = {}

    for mid, sources in plan.merge.items():
        memory = existing.get(mid)
        if memory is None:
            continue  # deleted meanwhile: nothing to merge into
        known = {(s.conversation_id, s.message_index) for s in memory.sources}
        fresh = [s for s in sources if (s.conversation_id, s.message_index) not in known]
        reaffirmed = reaffirm(memory, plan.merge_said_at.get(mid, []))
        if fresh or reaffirmed:
            memory.sources += fresh
            memory.update_time = now_ms
            memory.task_ids = list(dict.fromkeys(memory.task_ids + [batch.task_id]))
            changed[mid] = memory

    # A memory already superseded that the plan re-points (a statement said in between arrived
    # late) drops out of its previous successor's links.
    previous_ids = [old.superseded_by for old_id, new_id in plan.archive.items()
                    if (old := by_id(old_id)) is not None and old.superseded_by not in (None, new_id)]
    previous_ids = [p for p in dict.fromkeys(previous_ids) if by_id(p) is None]
    if previous_ids:
        existing.update({m.id: m for m in vectors.get(previous_ids)})
    unlinked: list[tuple[str, str]] = []
    applied: list[tuple[str, str | None]] = []

    for old_id, new_id in plan.archive.items():
        old, new = by_id(old_id), by_id(new_id)
        if old is None or new is None:
            continue  # deleted meanwhile
        if old.superseded_by != new_id:
            if old.status == "archived":
                previous = by_id(old.superseded_by) if old.superseded_by else None
                if old.superseded_by is None or (previous is not None and previous.said_at <= new.said_at):
                    continue  # archived by hand, or (a stale plan) already superseded by one nearer in time
                if previous is not None:
                    _unlink(previous, old_id, new_by_id, changed)
                    unlinked.append((previous.id, old_id))
            # valid until the replacing statement was said, not until this write ran
            old.status, old.valid_to, old.superseded_by = "archived", int(new.said_at), new_id
            old.update_time = now_ms
            _mark(old, new_by_id, changed)  # a planned one is written below with its final status
        if old.kind == "raw":  # an echo of a superseded memory (see stages/resolve.py): not a version of the new one
            applied.append((old_id, None))
            continue
        applied.append((old_id, new_id))
        if old_id not in new.supersedes:
            new.supersedes.append(old_id)
            _mark(new, new_by_id, changed)
        if all(v["id"] != old_id for v in new.history):
            new.history.append(version(old))
            _mark(new, new_by_id, changed)

    vectors.upsert(plan.add, plan.add_vectors)
    vectors.replace_payload(list(changed.values()))

    graphs.record(user_scope(batch.project, batch.user_id),
                  graph_store.change(add=plan.add, unlink=unlinked, archive=applied))

    counted = lambda m: m.kind != "raw"  # raw messages are the no-loss layer, not new memories
    views.memory_ids["added"] = [m.id for m in plan.add if counted(m)]
    views.memory_ids["updated"] = [m.id for m in changed.values() if counted(m)]
    views.added = len(views.memory_ids["added"])
    views.updated = len(views.memory_ids["updated"])
    views.unchanged = len([m for m in plan.unchanged if m not in changed])
    return views


def reaffirm(memory: StoredMemory, said_times: list[float]) -> bool:
    """Statements said at `said_times` merged into `memory`: it was last said at the latest of
    them all, first said at the earliest. Min and max, so applying them twice changes nothing.
    Whether it changed."""
    first = memory.first_said
    earliest, latest = min([first, *said_times]), max([memory.said_at, *said_times])
    if (earliest, latest) == (first, memory.said_at):
        return False
    memory.first_said_at, memory.said_at = earliest, latest
    return True


def _mark(memory: StoredMemory, new_by_id: dict[str, StoredMemory], changed: dict[str, StoredMemory]) -> None:
    if memory.id not in new_by_id:
        changed[memory.id] = memory


def _unlink(previous: StoredMemory, old_id: str, new_by_id: dict[str, StoredMemory],
            changed: dict[str, StoredMemory]) -> None:
    previous.supersedes = [m for m in previous.supersedes if m != old_id]
    previous.history = [v for v in previous.history if v["id"] != old_id]
    _mark(previous, new_by_id, changed)
