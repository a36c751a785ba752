"""get / update / delete of memories, run by the store worker (the owner of the vector store)."""
from __future__ import annotations

import math
from collections.abc import Iterable

import redis

from memq.errors import ErrorCode, MemqError
from pipeline import keys
from pipeline.embedder import Embedder
from pipeline.filters import Node, asks_for_status
from pipeline.models import StoredMemory, user_scope
from pipeline.presenters import present
from pipeline.stores import graph_store
from pipeline.stores.graph_store import GraphStore
from pipeline.stores.vector_store import Scope, VectorStore


def list_memories(store: VectorStore, project: str, user_id: str, where: Node | None, page: int, size: int,
                  include_preference: bool, include_tool_memory: bool) -> dict:
    kinds = ("fact",) + (("preference",) if include_preference else ()) + (("tool",) if include_tool_memory else ())
    scope = Scope(project, user_id, kinds=kinds, include_archived=asks_for_status(where))
    memories = sorted(store.scan(scope, where), key=lambda m: (-m.update_time, m.id))
    total = len(memories)
    window = memories[(page - 1) * size: page * size]
    return {
        "memory_detail_list": [present(m) for m in window if m.kind == "fact"],
        "preference_detail_list": [present(m) for m in window if m.kind == "preference"],
        "tool_memory_detail_list": [present(m) for m in window if m.kind == "tool"],
        "total": total, "size": size, "current": page, "pages": math.ceil(total / size) if total else 0,
    }


def _owned(store: VectorStore, project: str, memory_id: str) -> StoredMemory:
    found = [m for m in store.get([memory_id]) if m.project == project]
    if not found:
        raise MemqError(ErrorCode.MEMORY_NOT_FOUND, f"no memory with id {memory_id}", field="memory_id")
    return found[0]


def get_memory(store: VectorStore, project: str, memory_id: str) -> dict:
    memory = _owned(store, project, memory_id)
    out = present(memory)
    history = list(memory.history)
    history += [{"id": m.id, "memory_value": m.text, "status": m.status, "update_time": m.update_time,
                 "valid_to": m.valid_to, "superseded_by": m.superseded_by}
                for m in store.get(memory.supersedes) if all(h["id"] != m.id for h in history)]
    out["history"] = history
    return out


def update_memory(store: VectorStore, embedder: Embedder, project: str, memory_id: str, content: str | None,
                  status: str | None, now_ms: int) -> dict:
    memory = _owned(store, project, memory_id)
    if content is not None and content.strip() and content.strip() != memory.text:
        memory.history.append({"id": memory.id, "memory_value": memory.text, "status": memory.status,
                               "update_time": memory.update_time, "valid_to": now_ms, "superseded_by": None})
        memory.text = content.strip()
        memory.update_time = now_ms
        store.upsert([memory], {memory.id: embedder.embed([memory.text])[0]})
    if status is not None and status != memory.status:
        memory.status = status
        memory.update_time = now_ms
        store.replace_payload([memory])
    return {"success": True}


def delete_memories(store: VectorStore, graphs: GraphStore, client: redis.Redis, project: str, *,
                    memory_ids: list[str] | None = None, user_id: str | None = None,
                    agent_id: str | None = None, where: Node | None = None) -> dict:
    everything = Scope(project, user_id, include_archived=True)
    if memory_ids is not None:
        targets = [m for m in store.get(memory_ids) if m.project == project]
    elif agent_id is not None:
        from pipeline.filters import Eq
        targets = store.scan(everything, Eq("agent_id", agent_id), limit=10_000_000)
    else:
        targets = store.scan(everything, where, limit=10_000_000)
    by_user: dict[str, list[str]] = {}
    for memory in targets:
        by_user.setdefault(memory.user_id, []).append(memory.id)
    store.delete([m.id for m in targets])
    for uid, ids in by_user.items():
        scope = user_scope(project, uid)
        graph = graphs.load(scope)
        graph_store.remove_memories(graph, ids)
        graphs.save(scope, graph)
    if user_id is not None and memory_ids is None and agent_id is None and where is None:
        forget_user(client, graphs, project, user_id)
    return {"success": True, "deleted": len(targets)}


def forget_user(client: redis.Redis, graphs: GraphStore, project: str, user_id: str) -> None:
    """A user delete removes every trace: raw messages, the graph, and the stored batches and
    stage outputs that a replay could turn back into memories."""
    scope = user_scope(project, user_id)
    doomed: list[str] = [keys.user_conversations(scope), keys.user_tasks(scope), keys.user_graph(scope),
                         keys.user_lock(scope)]
    for conv in _members(client.smembers(keys.user_conversations(scope))):
        doomed += [keys.conversation_messages(scope, conv), keys.conversation_length(scope, conv)]
    for task_id in _members(client.smembers(keys.user_tasks(scope))):
        doomed += [keys.batch(task_id)] + [keys.stage_output(task_id, s) for s in ("extract", "embed", "resolve", "write")]
        client.zrem(keys.FAILED_TASKS, task_id)
    graphs.delete(scope)
    client.delete(*doomed)


def _members(values: Iterable) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else v for v in values]
