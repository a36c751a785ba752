"""Recall: hybrid search (dense MiniLM + BM25, fused by reciprocal rank), the conversation
soft boost, graph expansion through shared entities, and the MemOS response shapes."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.embedder import Embedder
from pipeline.filters import Node, asks_for_status
from pipeline.models import MemoryKind, StoredMemory, user_scope
from pipeline.stores import graph_store
from pipeline.stores.graph_store import GraphStore
from pipeline.stores.vector_store import Hit, Scope, VectorStore

RRF_K = 60
CONVERSATION_BOOST = 0.2  # in units of a first-rank RRF share
GRAPH_WEIGHT = 0.5


@dataclass
class SearchRequest:
    project: str
    user_id: str
    query: str
    where: Node | None = None
    conversation_id: str | None = None
    memory_limit: int = 9
    include_preference: bool = True
    preference_limit: int = 9
    include_tool_memory: bool = False
    tool_limit: int = 6
    relativity: float = 0.0


def _rank(store: VectorStore, embedder_vector: list[float], request: SearchRequest, graph,
          kinds: tuple[MemoryKind, ...], limit: int) -> list[tuple[StoredMemory, float]]:
    if limit <= 0:
        return []
    scope = Scope(request.project, request.user_id, kinds=kinds, include_archived=asks_for_status(request.where))
    pool = max(40, limit * 4)
    dense = store.dense_search(scope, embedder_vector, pool, request.where)
    lexical = store.lexical_search(scope, request.query, pool, request.where)
    fused: dict[str, float] = {}
    memories: dict[str, StoredMemory] = {}
    cosine: dict[str, float] = {}
    for weight, hits in ((1.0, dense), (1.0, lexical)):
        for rank, hit in enumerate(hits):
            fused[hit.memory.id] = fused.get(hit.memory.id, 0.0) + weight / (RRF_K + rank + 1)
            memories[hit.memory.id] = hit.memory
    for hit in dense:
        cosine[hit.memory.id] = hit.score
    floor = min(cosine.values()) if cosine else 0.0
    if request.conversation_id:
        for mid, memory in memories.items():
            if memory.conversation_id == request.conversation_id:
                fused[mid] += CONVERSATION_BOOST / (RRF_K + 1)
    if graph is not None and fused:
        top = sorted(fused, key=lambda m: -fused[m])[:3]
        for rank, mid in enumerate(graph_store.neighbours_through_entities(graph, top, limit=5)):
            if mid in fused:
                fused[mid] += GRAPH_WEIGHT / (RRF_K + rank + 1)
            # graph-only neighbours are not fetched: they must also match the query to enter
    ranked = sorted(fused, key=lambda m: -fused[m])
    out = []
    for mid in ranked:
        score = cosine.get(mid, floor)
        if request.relativity and score < request.relativity:
            continue
        out.append((memories[mid], round(float(score), 4)))
        if len(out) >= limit:
            break
    return out


def search(request: SearchRequest, store: VectorStore, embedder: Embedder, graphs: GraphStore) -> dict:
    vector = embedder.embed([request.query])[0]
    graph = graphs.load(user_scope(request.project, request.user_id))
    facts = _rank(store, vector, request, graph, ("fact", "raw"), request.memory_limit)
    prefs = _rank(store, vector, request, graph, ("preference",), request.preference_limit) \
        if request.include_preference else []
    tools = _rank(store, vector, request, graph, ("tool",), request.tool_limit) \
        if request.include_tool_memory else []
    return {
        "memory_detail_list": [present(m, s) for m, s in facts],
        "preference_detail_list": [present(m, s) for m, s in prefs],
        "tool_memory_detail_list": [present(m, s) for m, s in tools],
        "preference_note": preference_note([m for m, _ in prefs]),
    }


def preference_note(prefs: list[StoredMemory]) -> str:
    if not prefs:
        return ""
    lines = "\n".join(f"- {m.text}" for m in prefs)
    return ("The user's known preferences, most relevant first. Honour explicit ones; treat implicit "
            f"ones as hints:\n{lines}")


def present(memory: StoredMemory, relativity: float | None = None) -> dict:
    """A stored memory in the MemOS cloud's shape for its kind."""
    common = {
        "id": memory.id, "create_time": memory.create_time, "update_time": memory.update_time,
        "conversation_id": memory.conversation_id, "status": memory.status, "tags": memory.tags,
        "info": memory.info, "agent_id": memory.agent_id, "app_id": memory.app_id,
        "sources": [s.model_dump() for s in memory.sources], "said_time": int(memory.said_at),
    }
    if relativity is not None:
        common["relativity"] = relativity
    if memory.status == "archived":
        common.update(valid_to=memory.valid_to, superseded_by=memory.superseded_by)
    if memory.kind == "preference":
        return {**common, "preference": memory.text, "preference_type": memory.preference_type,
                "reasoning": memory.reasoning or ""}
    if memory.kind == "tool":
        return {**common, "tool_type": memory.tool_type, "tool_value": memory.text,
                "tool_used_status": memory.tool_used_status, "experience": memory.experience}
    return {**common, "memory_key": memory.key, "memory_value": memory.text,
            "memory_type": "RawMessageMemory" if memory.kind == "raw" else "LongTermMemory",
            "confidence": memory.confidence, "entities": memory.entities}
