"""Each operator of the filter language selects exactly the right memories, inside the store, in
both adapters: Qdrant Edge (the embedded default) and qdrant-client (server mode, run here in its
local mode). The data are crafted so that every condition has both matches and near misses."""
from __future__ import annotations

import uuid

import pytest

from pipeline.chat_time import BEIJING
from pipeline.filters import parse_filter
from pipeline.models import StoredMemory
from pipeline.stores.edge_store import EdgeVectorStore
from pipeline.stores.qdrant_store import QdrantServerStore
from pipeline.stores.vector_store import Scope
from tests.ports import HashEmbedder
from datetime import datetime

DIM = 32


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=BEIJING).timestamp() * 1000)


def mem(name: str, *, user="u1", project="p1", status="activated", **fields) -> StoredMemory:
    base = dict(id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{project}/{user}/{name}")), project=project, user_id=user,
                kind="fact", text=f"{name} the user went hiking in the Alps", status=status,
                create_time=ms("2025-09-01 12:00:00"), update_time=ms("2025-09-01 12:00:00"), said_at=0,
                conversation_id="c-main")
    return StoredMemory(**{**base, **fields})


MEMORIES = [
    mem("a", agent_id="agent-1", app_id="app-1", tags=["fitness planning", "travel"],
        info={"scene": "flight", "seats": 2, "vip": True, "cities": ["Paris", "Rome"]},
        create_time=ms("2025-08-31 23:59:59"), update_time=ms("2025-09-10 08:00:00")),
    mem("b", agent_id="agent-1", app_id="app-2", tags=["travel"], info={"scene": "hotel", "seats": 2.5, "vip": False},
        create_time=ms("2025-09-01 00:00:00"), update_time=ms("2025-09-01 00:00:00")),
    mem("c", agent_id="agent-2", app_id="app-1", conversation_id="c-other", tags=["fitness"],
        info={"scene": "flight", "seats": 3}, create_time=ms("2025-09-01 23:59:59"),
        update_time=ms("2025-09-02 00:00:00")),
    mem("d", tags=[], info={"场景": "机场"}, create_time=ms("2025-09-02 00:00:00"),
        update_time=ms("2025-09-20 00:00:00")),
    mem("e", status="archived", agent_id="agent-1", info={"scene": "flight"}, tags=["travel"],
        create_time=ms("2025-09-03 10:00:00")),
    mem("f", kind="preference", agent_id="agent-1", info={"scene": "flight"}, text="f the user prefers window seats when hiking in the Alps"),
    # Never visible to a query for (p1, u1): another user, another project.
    mem("x", user="u2", agent_id="agent-1", info={"scene": "flight"}, tags=["travel"]),
    mem("y", project="p2", agent_id="agent-1", info={"scene": "flight"}, tags=["travel"]),
]
NAMES = {m.id: m.text.split()[0] for m in MEMORIES}

CASES = [
    ({"agent_id": "agent-1"}, "abf"),
    ({"app_id": "app-1"}, "ac"),
    ({"conversation_id": "c-other"}, "c"),
    ({"scene": "flight"}, "acf"),
    ({"seats": 2}, "a"),
    ({"seats": 2.5}, "b"),
    ({"vip": True}, "a"),
    ({"vip": False}, "b"),
    ({"cities": "Rome"}, "a"),
    ({"场景": "机场"}, "d"),
    ({"tags": {"contains": "travel"}}, "ab"),
    ({"tags": "fitness planning"}, "a"),
    ({"scene": {"in": ["hotel", "flight"]}}, "abcf"),
    # A datetime bound is exact to the millisecond.
    ({"create_time": {"gte": "2025-09-01 00:00:00"}}, "bcdf"),
    ({"create_time": {"gt": "2025-09-01 00:00:00"}}, "cdf"),
    ({"create_time": {"lt": "2025-09-01 00:00:00"}}, "a"),
    ({"create_time": {"lte": "2025-09-01T00:00:00+08:00"}}, "ab"),
    # A bare date is the whole day (Beijing time): lte includes it, gt starts after it.
    ({"create_time": {"lte": "2025-09-01"}}, "abcf"),
    ({"create_time": {"gt": "2025-09-01"}}, "d"),
    ({"create_time": {"gte": "2025-09-01", "lt": "2025-09-02"}}, "bcf"),
    ({"create_time": {"gte": ms("2025-09-02 00:00:00")}}, "d"),  # epoch milliseconds
    ({"update_time": {"gte": "2025-09-10"}}, "ad"),
    ({"and": [{"agent_id": "agent-1"}, {"tags": {"contains": "travel"}}]}, "ab"),
    ({"or": [{"app_id": "app-2"}, {"conversation_id": "c-other"}]}, "bc"),
    ({"and": [{"or": [{"scene": "hotel"}, {"seats": 3}]}, {"update_time": {"lt": "2025-09-02"}}]}, "b"),
    ({"agent_id": "nobody"}, ""),
    # Archived memories appear only when the filter asks for a status.
    ({"status": "archived"}, "e"),
    ({"and": [{"status": "activated"}, {"agent_id": "agent-1"}]}, "abf"),
]


@pytest.fixture(scope="module", params=["edge", "qdrant-client"])
def store(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    built = EdgeVectorStore(root / "shard", dim=DIM) if request.param == "edge" else \
        QdrantServerStore(f"local:{root / 'local'}", None, "memq", dim=DIM)
    vectors = HashEmbedder(DIM).embed([m.text for m in MEMORIES])
    built.upsert(MEMORIES, {m.id: v for m, v in zip(MEMORIES, vectors)})
    yield built
    built.close()


def names(memories) -> str:
    return "".join(sorted(NAMES[m.id] for m in memories))


def user_scope(raw):
    from pipeline.filters import asks_for_status

    return Scope("p1", "u1", include_archived=asks_for_status(parse_filter(raw)))


@pytest.mark.parametrize("raw,expected", CASES, ids=[str(c[0]) for c in CASES])
def test_filter_selects_exactly(store, raw, expected):
    where = parse_filter(raw)
    scope = user_scope(raw)
    assert names(store.scan(scope, where)) == expected
    assert store.count(scope, where) == len(expected)
    # Retrieval applies the same filter inside the store: never a hit outside it.
    query = HashEmbedder(DIM).embed(["hiking in the Alps"])[0]
    assert names(h.memory for h in store.dense_search(scope, query, 50, where)) == expected
    assert names(h.memory for h in store.lexical_search(scope, "hiking Alps", 50, where)) == expected


def test_scope_limits_kinds_user_and_project(store):
    assert names(store.scan(Scope("p1", "u1", kinds=("preference",)))) == "f"
    assert names(store.scan(Scope("p1", "u2"))) == "x"
    assert names(store.scan(Scope("p2"))) == "y"
    assert names(store.scan(Scope("p1", include_archived=True))) == "abcdefx"


def test_dense_search_ranks_by_meaning(store):
    query = HashEmbedder(DIM).embed(["f the user prefers window seats"])[0]
    hits = store.dense_search(Scope("p1", "u1"), query, 3)
    assert NAMES[hits[0].memory.id] == "f" and hits[0].score > hits[1].score


def test_get_ignores_ids_that_are_not_uuids(store):
    a = MEMORIES[0]
    assert [m.id for m in store.get(["not-a-uuid", a.id, str(uuid.uuid4())])] == [a.id]


def test_dense_vectors_are_the_stored_embeddings_by_id(store):
    a, b = MEMORIES[0], MEMORIES[1]
    expected = HashEmbedder(DIM).embed([a.text, b.text])
    found = store.dense_vectors([a.id, "not-a-uuid", b.id, str(uuid.uuid4())])
    assert set(found) == {a.id, b.id}
    for vector, want in ((found[a.id], expected[0]), (found[b.id], expected[1])):
        assert len(vector) == DIM and max(abs(x - y) for x, y in zip(vector, want)) < 1e-4


def test_payload_replace_and_delete_round_trip(tmp_path):
    for built in (EdgeVectorStore(tmp_path / "e", dim=DIM),
                  QdrantServerStore(":memory:", None, "memq", dim=DIM)):
        one = mem("g", info={"vip": True})
        built.upsert([one], {one.id: HashEmbedder(DIM).embed([one.text])[0]})
        assert built.count(Scope("p1", "u1"), parse_filter({"vip": True})) == 1
        one.info = {"vip": False}
        one.status = "archived"
        built.replace_payload([one])
        assert built.count(Scope("p1", "u1")) == 0
        assert built.count(Scope("p1", "u1", include_archived=True), parse_filter({"vip": False})) == 1
        built.delete([one.id, "junk"])
        assert built.get([one.id]) == [] and built.count(Scope("p1", include_archived=True)) == 0
        built.close()


def test_server_index_set_up_is_accepted_by_the_client():
    """The server path's index creation (tenant index included) goes through qdrant-client's own
    validation; local mode accepts the calls and ignores them, a server builds the indexes."""
    built = QdrantServerStore(":memory:", None, "memq", dim=DIM)
    built._ensure_indexes()
    built.close()
