"""Graph expansion: neighbours through shared entities, in an order that does not vary by process."""
from __future__ import annotations

import networkx as nx

from pipeline.stores.graph_store import entity_node, memory_node, neighbours_through_entities


def graph_of(mentions: dict[str, list[str]]) -> nx.Graph:
    graph = nx.Graph()
    for memory, entities in mentions.items():
        graph.add_node(memory_node(memory), type="memory", kind="fact", status="activated")
        for name in entities:
            graph.add_node(entity_node(name), type="entity", name=name)
            graph.add_edge(memory_node(memory), entity_node(name))
    return graph


def test_most_shared_entities_first_then_the_neighbours_of_the_better_seed():
    graph = graph_of({"via-b": ["Lisbon"], "via-a": ["Max"], "a": ["Max", "Oslo"], "b": ["Lisbon", "Oslo"],
                      "both": ["Max", "Lisbon"]})
    assert neighbours_through_entities(graph, ["a", "b"], limit=5) == ["both", "via-a", "via-b"]
    assert neighbours_through_entities(graph, ["b", "a"], limit=5) == ["both", "via-b", "via-a"]
