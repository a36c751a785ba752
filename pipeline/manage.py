"""get / update / delete of memories, run by the store worker (the owner of the vector store)."""
from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterable

import redis

from memq.errors import ErrorCode, MemqError
from pipeline import keys
from pipeline.embedder import Embedder
from pipeline.filters import Eq, Node, asks_for_status, both
from pipeline.models import StoredMemory, user_scope
from pipeline.presenters import present, version
from pipeline.stores import graph_store
from pipeline.stores.graph_store import GraphStore
from pipeline.stores.user_lock import UserLock
from pipeline.stores.vector_store import Scope, VectorStore

EVERYTHING = 10_000_000
STAGES = ("extract", "embed", "resolve", "write")
# A user delete waits this long for a write in progress (holding the user's lock) to finish.
DELETE_LOCK_WAIT_SECONDS = 5.0


def list_memories(store: VectorStore, project: str, user_id: str, where: Node | None, page: int, size: int,
                  include_preference: bool, include_tool_memory: bool) -> dict:
    kinds = ("fact",) + (("preference",) if include_preference else ()) + (("tool",) if include_tool_memory else ())
    scope = Scope(project, user_id, kinds=kinds, include_archived=asks_for_status(where))
    # Newest first, then by id so that pages never overlap or skip while nothing changes.
    memories = sorted(store.scan(scope, where, limit=EVERYTHING), key=lambda m: (-m.update_time, m.id))
    total = len(memories)
    window = memories[(page - 1) * size: page * size]
    return {
        "memory_detail_list": [present(m) for m in window if m.kind == "fact"],
        "preference_detail_list": [present(m) for m in window if m.kind == "preference"],
        "tool_memory_detail_list": [present(m) for m in window if m.kind == "tool"],
        "total": total, "size": size, "current": page, "pages": math.ceil(total / size) if total else 0,
    }


def _not_found(memory_id: str) -> MemqError:
    return MemqError(ErrorCode.MEMORY_NOT_FOUND, f"no memory with id {memory_id}", field="memory_id")


def _owned(store: VectorStore, project: str, memory_id: str) -> StoredMemory:
    found = [m for m in store.get([memory_id]) if m.project == project]
    if not found:
        raise _not_found(memory_id)
    return found[0]


def get_memory(store: VectorStore, project: str, memory_id: str) -> dict:
    """One memory with its history: earlier texts of itself, then the memories it superseded."""
    memory = _owned(store, project, memory_id)
    out = present(memory)
    history = list(memory.history)
    known = {h.get("id") for h in history}
    history += [version(m) for m in store.get(memory.supersedes) if m.project == project and m.id not in known]
    out["history"] = history
    return out


def update_memory(store: VectorStore, embedder: Embedder, project: str, memory_id: str, content: str | None,
                  status: str | None, now_ms: int) -> dict:
    memory = _owned(store, project, memory_id)
    text = content.strip() if content is not None else None
    if text and text != memory.text:
        # The old text stays readable in the history; the vectors follow the new one.
        memory.history.append({**version(memory), "valid_to": now_ms})
        memory.text = text
        memory.update_time = now_ms
        if status is not None:
            memory.status = status
        store.upsert([memory], {memory.id: embedder.embed([memory.text])[0]})
    elif status is not None and status != memory.status:
        memory.status = status
        memory.update_time = now_ms
        store.replace_payload([memory])
    return {"success": True}


def _targets(store: VectorStore, project: str, memory_ids: list[str] | None, user_id: str | None,
             agent_id: str | None, where: Node | None) -> list[StoredMemory]:
    if memory_ids is not None:
        wanted = list(dict.fromkeys(memory_ids))
        found = {m.id: m for m in store.get(wanted) if m.project == project
                 and (user_id is None or m.user_id == user_id)}
        missing = [mid for mid in wanted if mid not in found]
        if missing:  # all or nothing: a typo in one id must not half-apply the delete
            raise MemqError(ErrorCode.MEMORY_NOT_FOUND, f"no memory with id {', '.join(missing[:5])}",
                            field="memory_ids")
        return list(found.values())
    selector = both(Eq("agent_id", agent_id) if agent_id is not None else None, where)
    return store.scan(Scope(project, user_id, include_archived=True), selector, limit=EVERYTHING)


def delete_memories(store: VectorStore, graphs: GraphStore, client: redis.Redis, project: str, *,
                    memory_ids: list[str] | None = None, user_id: str | None = None,
                    agent_id: str | None = None, where: Node | None = None) -> dict:
    """Delete for real, everywhere: vectors and graph nodes; for a whole user also every trace
    in Redis. `user_id` alone selects the user; with another selector it narrows it."""
    whole_user = user_id is not None and memory_ids is None and agent_id is None and where is None
    if whole_user:
        task_ids = stop_user_tasks(client, project, user_id)
    targets = _targets(store, project, memory_ids, user_id, agent_id, where)
    store.delete([m.id for m in targets])
    if whole_user:
        forget_user(client, graphs, project, user_id, task_ids)
    else:
        by_user: dict[str, list[str]] = {}
        for memory in targets:
            by_user.setdefault(memory.user_id, []).append(memory.id)
        for uid, ids in by_user.items():
            graphs.record(user_scope(project, uid), graph_store.change(remove=ids))
    return {"success": True, "deleted": len([m for m in targets if m.kind != "raw"])}


def stop_user_tasks(client: redis.Redis, project: str, user_id: str) -> list[str]:
    """First step of a user delete: remove the user's task records, batches and stage outputs
    (a stage that finds no record does nothing, so no batch in flight can write afterwards),
    then take the user's lock, waiting for a write already under way to finish. The lock is
    held until forget_user, so no new batch of the user resolves while the vectors go."""
    scope = user_scope(project, user_id)
    task_ids = _members(client.smembers(keys.user_tasks(scope)))
    doomed = [keys.task(t) for t in task_ids] + [keys.batch(t) for t in task_ids]
    doomed += [keys.stage_output(t, s) for t in task_ids for s in STAGES]
    if doomed:
        client.delete(*doomed)
        client.zrem(keys.FAILED_TASKS, *task_ids)
    lock = UserLock(client, lease_seconds=60)
    holder = f"delete:{uuid.uuid4().hex}"
    deadline = time.monotonic() + DELETE_LOCK_WAIT_SECONDS
    while not lock.acquire(scope, holder) and time.monotonic() < deadline:
        time.sleep(0.05)
    return task_ids


def forget_user(client: redis.Redis, graphs: GraphStore, project: str, user_id: str, task_ids: list[str]) -> None:
    """Last step of a user delete: raw messages, conversations, the graph, the lock, and the
    idempotency keys that name the user's tasks."""
    scope = user_scope(project, user_id)
    doomed = [keys.user_conversations(scope), keys.user_tasks(scope), keys.user_lock(scope)]
    for conv in _members(client.smembers(keys.user_conversations(scope))):
        doomed += [keys.conversation_messages(scope, conv), keys.conversation_length(scope, conv)]
    graphs.delete(scope)
    client.delete(*doomed)
    _drop_idempotency_keys(client, project, set(task_ids))


def _drop_idempotency_keys(client: redis.Redis, project: str, task_ids: set[str]) -> None:
    """Idempotency keys name the user's tasks: a replay must not point at a deleted task."""
    if not task_ids:
        return
    for key in client.scan_iter(match=keys.idempotency(project, "*"), count=1000):
        value = client.get(key)
        if value is not None and _text(value) in task_ids:
            client.delete(key)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _members(values: Iterable) -> list[str]:
    return [_text(v) for v in values]
