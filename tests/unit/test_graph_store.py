"""Graph expansion: neighbours through shared entities, nearest in time first among equals, in an
order that depends neither on the process nor on the order memories were written in."""
from __future__ import annotations

import networkx as nx

from pipeline.stores.graph_store import apply_change, entity_node, memory_node, neighbours_through_entities

DAY = 86_400_000


def graph_of(mentions: dict[str, tuple[int, list[str]]]) -> nx.Graph:
    """memory id -> (day said, entities), written in the order given."""
    graph = nx.Graph()
    apply_change(graph, {"add": [{"id": m, "kind": "fact", "status": "activated", "said_at": day * DAY,
                                  "entities": entities} for m, (day, entities) in mentions.items()]})
    return graph


def test_most_shared_entities_first_then_the_nearest_in_time_to_a_seed():
    graph = graph_of({"a": (10, ["Max", "Oslo"]), "b": (20, ["Lisbon", "Oslo"]),
                      "via-a": (11, ["Max"]), "via-b": (22, ["Lisbon"]), "far": (90, ["Max"]),
                      "both": (50, ["Max", "Lisbon"])})
    assert neighbours_through_entities(graph, ["a", "b"], limit=5) == ["both", "via-a", "via-b", "far"]
    assert neighbours_through_entities(graph, ["b", "a"], limit=5) == ["both", "via-a", "via-b", "far"]
    assert neighbours_through_entities(graph, ["b", "a"], limit=2) == ["both", "via-a"]


def test_the_order_memories_were_written_in_does_not_change_the_neighbours():
    mentions = {"seed": (5, ["Anna"]), **{f"m{n}": (5, ["Anna"]) for n in range(6)}}
    forward = graph_of(mentions)
    backward = graph_of(dict(reversed(list(mentions.items()))))
    assert [n for n in backward] != [n for n in forward]  # the graphs really were built differently
    assert neighbours_through_entities(forward, ["seed"], limit=3) == \
        neighbours_through_entities(backward, ["seed"], limit=3) == ["m0", "m1", "m2"]


def test_archived_memories_and_hub_entities_lead_nowhere():
    graph = graph_of({"seed": (1, ["Oslo", "the user"]), "old": (1, ["Oslo"]), "new": (2, ["Oslo"]),
                      **{f"hub{n}": (1, ["the user"]) for n in range(60)}})
    apply_change(graph, {"archive": [["old", "new"]]})
    assert graph.nodes[memory_node("old")]["status"] == "archived" and entity_node("Oslo") in graph
    assert neighbours_through_entities(graph, ["seed"], limit=10) == ["new"]
