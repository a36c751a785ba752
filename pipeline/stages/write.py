"""Stage 4: apply a WritePlan to the vector store and the user's graph.

Every step is idempotent (deterministic ids, set-union of sources, archive is a status), so a
write redelivered after a crash ends in the same state as one that ran once."""
from __future__ import annotations

from pipeline.models import Batch, MemoryViews, StoredMemory, WritePlan, user_scope
from pipeline.presenters import version
from pipeline.stores import graph_store
from pipeline.stores.graph_store import GraphStore
from pipeline.stores.vector_store import VectorStore


def write(batch: Batch, plan: WritePlan, vectors: VectorStore, graphs: GraphStore, now_ms: int) -> MemoryViews:
    views = MemoryViews()
    existing = {m.id: m for m in vectors.get(list(plan.merge) + list(plan.archive))}
    new_by_id = {m.id: m for m in plan.add}
    changed: dict[str, StoredMemory] = {}

    for mid, sources in plan.merge.items():
        memory = existing.get(mid)
        if memory is None:
            continue  # deleted meanwhile: nothing to merge into
        known = {(s.conversation_id, s.message_index) for s in memory.sources}
        fresh = [s for s in sources if (s.conversation_id, s.message_index) not in known]
        if fresh:
            memory.sources += fresh
            memory.update_time = now_ms
            memory.task_ids = list(dict.fromkeys(memory.task_ids + [batch.task_id]))
            changed[mid] = memory

    for old_id, new_id in plan.archive.items():
        old = existing.get(old_id) or new_by_id.get(old_id)
        if old is None:
            continue
        if old.status != "archived":
            old.status, old.valid_to, old.superseded_by = "archived", now_ms, new_id
            old.update_time = now_ms
        if old_id in new_by_id:
            continue  # archived before it was ever stored: written below with its final status
        changed[old_id] = old
        new = new_by_id.get(new_id)
        if new is not None and all(v["id"] != old_id for v in new.history):
            new.history.append(version(old))

    vectors.upsert(plan.add, plan.add_vectors)
    vectors.replace_payload(list(changed.values()))

    scope = user_scope(batch.project, batch.user_id)
    graph = graphs.load(scope)
    for memory in plan.add:
        graph_store.add_memory(graph, memory)
    for old_id, new_id in plan.archive.items():
        graph_store.archive_memory(graph, old_id, new_id)
    graphs.save(scope, graph)

    counted = lambda m: m.kind != "raw"  # raw messages are the no-loss layer, not new memories
    views.memory_ids["added"] = [m.id for m in plan.add if counted(m)]
    views.memory_ids["updated"] = [m.id for m in changed.values() if counted(m)]
    views.added = len(views.memory_ids["added"])
    views.updated = len(views.memory_ids["updated"])
    views.unchanged = len([m for m in plan.unchanged if m not in changed])
    return views
