"""The per-user NetworkX graph: memories and the entities they mention (people, places,
organisations, dates), plus `supersedes` edges between versions of a memory.

Graphs are persisted in Redis as node-link JSON, one key per user, so that every store worker,
on any host, reads the same graph (a file per host would split it)."""
from __future__ import annotations

import json
from collections import OrderedDict

import networkx as nx
import redis

from pipeline import keys
from pipeline.models import StoredMemory


def entity_node(name: str) -> str:
    return f"entity:{name.strip().lower()}"


def memory_node(memory_id: str) -> str:
    return f"memory:{memory_id}"


class GraphStore:
    """`load` gives a graph to change and `save`; `view` gives a read-only graph for search, from
    a per-process cache checked against a version counter in Redis (parsing a user's graph costs
    tens of milliseconds; reading the counter, one round trip)."""

    CACHED_USERS = 256

    def __init__(self, client: redis.Redis):
        self.redis = client
        self._cache: OrderedDict[str, tuple[bytes, nx.Graph]] = OrderedDict()

    def load(self, scope: str) -> nx.Graph:
        raw = self.redis.get(keys.user_graph(scope))
        if not raw:
            return nx.Graph()
        return nx.node_link_graph(json.loads(raw), edges="edges")

    def view(self, scope: str) -> nx.Graph:
        version = self.redis.get(keys.user_graph_version(scope)) or b"0"
        cached = self._cache.get(scope)
        if cached and cached[0] == version:
            self._cache.move_to_end(scope)
            return cached[1]
        graph = nx.freeze(self.load(scope))
        self._cache[scope] = (version, graph)
        if len(self._cache) > self.CACHED_USERS:
            self._cache.popitem(last=False)
        return graph

    def save(self, scope: str, graph: nx.Graph) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(keys.user_graph(scope), json.dumps(nx.node_link_data(graph, edges="edges")))
        pipe.incr(keys.user_graph_version(scope))
        pipe.execute()

    def delete(self, scope: str) -> None:
        self.redis.delete(keys.user_graph(scope), keys.user_graph_version(scope))
        self._cache.pop(scope, None)


class InMemoryGraphStore:
    """The same port kept in a dict: for in-process replays (eval/sim.py) and unit tests."""

    def __init__(self):
        self.graphs: dict[str, nx.Graph] = {}

    def load(self, scope: str) -> nx.Graph:
        return self.graphs.setdefault(scope, nx.Graph())

    view = load

    def save(self, scope: str, graph: nx.Graph) -> None:
        self.graphs[scope] = graph

    def delete(self, scope: str) -> None:
        self.graphs.pop(scope, None)


def add_memory(graph: nx.Graph, memory: StoredMemory) -> None:
    node = memory_node(memory.id)
    graph.add_node(node, type="memory", kind=memory.kind, status=memory.status)
    for name in memory.entities:
        ent = entity_node(name)
        if ent not in graph:
            graph.add_node(ent, type="entity", name=name)
        graph.add_edge(node, ent, rel="mentions")


def archive_memory(graph: nx.Graph, old_id: str, new_id: str) -> None:
    old, new = memory_node(old_id), memory_node(new_id)
    if old in graph:
        graph.nodes[old]["status"] = "archived"
    if old in graph and new in graph:
        graph.add_edge(new, old, rel="supersedes")


def remove_memories(graph: nx.Graph, memory_ids: list[str]) -> None:
    """Remove memories, then any entity no remaining memory mentions."""
    graph.remove_nodes_from([memory_node(m) for m in memory_ids])
    orphans = [n for n, d in graph.nodes(data=True) if d.get("type") == "entity" and graph.degree(n) == 0]
    graph.remove_nodes_from(orphans)


HUB_DEGREE = 50  # an entity mentioned by more memories than this ("the user") links everything


def neighbours_through_entities(graph: nx.Graph, memory_ids: list[str], limit: int) -> list[str]:
    """Memories that share an entity with the given ones, most shared entities first; among
    equals, those met first from the better seeds (seeds in rank order: a set's order would vary
    from process to process, and so would the search results)."""
    counts: dict[str, int] = {}
    seeds = list(dict.fromkeys(memory_node(m) for m in memory_ids))
    for seed in seeds:
        if seed not in graph:
            continue
        for ent in graph.neighbors(seed):
            if graph.nodes[ent].get("type") != "entity" or graph.degree(ent) > HUB_DEGREE:
                continue  # a hub entity ("the user") links everything and ranks nothing
            for other in graph.neighbors(ent):
                if other not in seeds and graph.nodes[other].get("type") == "memory" \
                        and graph.nodes[other].get("status") == "activated":
                    counts[other] = counts.get(other, 0) + 1
    ranked = sorted(counts, key=lambda n: -counts[n])[:limit]
    return [n.split(":", 1)[1] for n in ranked]
