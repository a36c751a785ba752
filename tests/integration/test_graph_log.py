"""The user's graph in Redis as a snapshot plus a change log: writers append, a compaction folds,
and every process's cached view catches up to exactly what a fresh load reads. Against the real
Redis of the test stack, with two GraphStore instances standing for two processes."""
from __future__ import annotations

import json
import threading

import networkx as nx

from pipeline import keys
from pipeline.models import StoredMemory
from pipeline.stores import graph_store
from pipeline.stores.graph_store import COMPACT_AFTER, GraphStore, entity_node, memory_node
from tests.stack import unique


def memory(memory_id: str, *entities: str) -> StoredMemory:
    return StoredMemory(id=memory_id, project="p", user_id="u", kind="fact", text=memory_id, create_time=0,
                        update_time=0, said_at=0, conversation_id="c", entities=list(entities))


def shape(graph: nx.Graph) -> tuple[list, list]:
    return (sorted((n, sorted(d.items())) for n, d in graph.nodes(data=True)),
            sorted((tuple(sorted((a, b))), d.get("rel")) for a, b, d in graph.edges(data=True)))


def test_a_reader_catches_up_change_by_change_and_matches_a_fresh_load(stack):
    scope = unique("graph")
    writer, reader = GraphStore(stack.redis), GraphStore(stack.redis)
    writer.record(scope, graph_store.change(add=[memory("m1", "Lisbon", "Max"), memory("m2", "Lisbon")]))
    assert reader.view(scope).neighbours(["m1"], limit=5) == ["m2"]

    writer.record(scope, graph_store.change(add=[memory("m3", "Max")], archive=[("m1", "m3")]))
    view = reader.view(scope)
    assert view.applied == 2  # it applied the one new change, not a reload
    assert shape(view.graph) == shape(writer.load(scope))
    assert view.graph.nodes[memory_node("m1")]["status"] == "archived"
    assert view.graph.has_edge(memory_node("m3"), memory_node("m1"))
    assert view.neighbours(["m2"], limit=5) == []  # m1, its only neighbour, is archived

    writer.record(scope, graph_store.change(remove=["m2"]))  # Lisbon still names m1: it stays
    writer.record(scope, graph_store.change(remove=["m1"]))  # now nothing names Lisbon
    view = reader.view(scope)
    assert entity_node("Lisbon") not in view.graph and entity_node("Max") in view.graph
    assert shape(view.graph) == shape(writer.load(scope))


def test_compaction_folds_the_log_and_readers_reload_from_the_snapshot(stack):
    scope = unique("graph")
    writer, reader = GraphStore(stack.redis), GraphStore(stack.redis)
    writer.record(scope, graph_store.change(add=[memory("first", "Oslo")]))
    assert reader.view(scope).neighbours(["first"], limit=5) == []
    for n in range(COMPACT_AFTER + 5):
        writer.record(scope, graph_store.change(add=[memory(f"m{n}", "Oslo", f"day {n % 7}")]))
    log_length = stack.redis.llen(keys.user_graph_log(scope))
    assert 0 < log_length < COMPACT_AFTER  # folded once, the changes since still in the log
    assert stack.redis.exists(keys.user_graph(scope))
    view = reader.view(scope)
    assert view.applied == log_length  # reloaded: snapshot, then the log
    assert shape(view.graph) == shape(writer.load(scope))
    assert sum(1 for _, d in view.graph.nodes(data=True) if d["type"] == "memory") == COMPACT_AFTER + 6


def test_changes_written_from_two_processes_at_once_are_all_kept_through_compactions(stack):
    scope = unique("graph")
    per_writer = COMPACT_AFTER  # together they cross the compaction mark several times

    def write(name: str) -> None:
        store = GraphStore(stack.redis)
        for n in range(per_writer):
            store.record(scope, graph_store.change(add=[memory(f"{name}-{n}", f"{name} entity")]))

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    loaded = GraphStore(stack.redis).load(scope)
    memories = {n for n, d in loaded.nodes(data=True) if d["type"] == "memory"}
    assert memories == {memory_node(f"{name}-{n}") for name in ("a", "b") for n in range(per_writer)}
    assert stack.redis.llen(keys.user_graph_log(scope)) < 2 * per_writer  # at least one compaction landed


def test_after_a_delete_a_cached_reader_starts_again_however_many_changes_follow(stack):
    scope = unique("graph")
    writer, reader = GraphStore(stack.redis), GraphStore(stack.redis)
    writer.record(scope, graph_store.change(add=[memory("old-1", "Paris"), memory("old-2", "Paris")]))
    writer.record(scope, graph_store.change(add=[memory("old-3", "Paris")]))
    assert reader.view(scope).applied == 2
    writer.delete(scope)
    assert not [k for k in stack.redis.scan_iter(match=f"*{scope}*")]  # no trace of the user left
    for n in range(3):  # more changes than the reader had applied: a length check alone would miss it
        writer.record(scope, graph_store.change(add=[memory(f"new-{n}", "Paris")]))
    view = reader.view(scope)
    assert {n for n in view.graph if n.startswith("memory:")} == {memory_node(f"new-{n}") for n in range(3)}
    assert shape(view.graph) == shape(writer.load(scope))


def test_a_graph_saved_whole_by_an_earlier_version_is_read_and_extended(stack):
    """Before the change log, a graph was one node-link JSON value and its version a counter."""
    scope = unique("graph")
    earlier = nx.Graph()
    graph_store.add_memory(earlier, "m-old", "fact", "activated", ["Lisbon"])
    earlier.nodes[memory_node("m-old")].pop("said_at")  # an earlier version did not keep it
    stack.redis.set(keys.user_graph(scope), json.dumps(nx.node_link_data(earlier, edges="edges")))
    stack.redis.set(keys.user_graph_version(scope), 7)
    reader = GraphStore(stack.redis)
    assert reader.view(scope).neighbours(["m-old"], limit=5) == []
    GraphStore(stack.redis).record(scope, graph_store.change(add=[memory("m-new", "Lisbon")]))
    assert reader.view(scope).neighbours(["m-old"], limit=5) == ["m-new"]
    assert reader.view(scope).neighbours(["m-new"], limit=5) == ["m-old"]
