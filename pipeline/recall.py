"""Recall: hybrid search (dense MiniLM + BM25, fused by reciprocal rank), the conversation
soft boost, graph expansion through shared entities, and the MemOS response shapes."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.embedder import Embedder
from pipeline.filters import Node, asks_for_status
from pipeline.models import MemoryKind, StoredMemory, user_scope
from pipeline.stores import graph_store
from pipeline.stores.graph_store import GraphStore
from pipeline.presenters import preference_note, present
from pipeline.stores.vector_store import Scope, VectorStore

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
