"""Server mode: with MEMQ_QDRANT_URL set, every store operation goes through qdrant-client.
qdrant-client's local mode stands in for a Qdrant server here (no server binary can be installed
on these machines), so this runs the real client code path end to end: the store worker writes,
searches, filters and deletes through it, and the points are counted in it afterwards."""
import pytest

from pipeline import keys
from pipeline.filters import Eq
from pipeline.models import user_scope
from pipeline.stores.qdrant_store import QdrantServerStore
from pipeline.stores.vector_store import Scope
from tests.integration.manage_helpers import add_batches, check_filters_exact, user_traces
from tests.stack import new_stack, unique


@pytest.fixture(scope="module")
def server_stack(tmp_path_factory):
    root = tmp_path_factory.mktemp("server-mode")
    running = new_stack(root)
    store_dir = root / "qdrant-local"
    running.start(extra_env={"MEMQ_QDRANT_URL": f"local:{store_dir}", "MEMQ_QDRANT_COLLECTION": "memq_test"})
    yield running, store_dir
    running.stop()


def test_server_mode_end_to_end(server_stack):
    stack, store_dir = server_stack
    user_id, bystander = unique(), unique()
    added = add_batches(stack, user_id)
    add_batches(stack, bystander)
    check_filters_exact(stack, user_id, added)
    found = stack.search(user_id, "Which city does Anna live in?")
    assert any("Berlin" in m["memory_value"] for m in found["memory_detail_list"]), found

    tasks = [t.decode() for t in stack.redis.smembers(keys.user_tasks(user_scope("default", user_id)))]
    assert len(tasks) == 3
    assert stack.post("/delete/memory", {"user_id": user_id}).json()["data"]["success"] is True
    assert user_traces(stack.redis, "default", user_id, tasks) == []

    stack.stop()  # local mode admits one process: the store worker's must be closed to look inside
    store = QdrantServerStore(f"local:{store_dir}", None, "memq_test", dim=384)
    try:
        everything = Scope("default", include_archived=True)
        assert store.count(everything, Eq("user_id", user_id)) == 0
        assert store.count(everything, Eq("user_id", bystander)) >= 3  # facts plus raw messages
    finally:
        store.close()
    # Nothing went to the embedded engine: no shard was ever created.
    shard = stack.data_dir / "qdrant"
    assert not shard.exists() or not any(shard.iterdir())
