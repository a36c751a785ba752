"""An ingest process that passes its memory limit is replaced after its task. The replacement
loads the embedding model before it reports up, which takes longer than Celery's default 4 s
allowance for a new process: with that default every replacement was killed with -9 and replaced
again, and ingestion stopped for good. This forces a replacement after every task."""
import pytest

from tests.stack import new_stack, unique

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def recycling_stack(tmp_path_factory):
    # 1 MB: every ingest process is over its limit after its first task
    running = new_stack(tmp_path_factory.mktemp("recycle")).start(extra_env={"MEMQ_WORKER_MAX_MEMORY_MB": "1"})
    yield running
    running.stop()


def test_adds_complete_while_every_ingest_process_is_replaced_after_its_task(recycling_stack):
    stack = recycling_stack
    user = unique("recycled")
    for n, city in enumerate(["Lisbon", "Oslo", "Quito", "Hanoi"]):
        done = stack.add(user, [{"role": "user", "content": f"I flew to {city} for a conference.",
                                 "chat_time": f"2025-04-0{n + 1} 09:00:00"}], conversation_id=f"c{n}")
        assert done["status"] == "completed"
    found = stack.search(user, "Which cities did the user fly to?", memory_limit_number=10)
    values = " ".join(m["memory_value"] for m in found["memory_detail_list"])
    assert all(city in values for city in ["Lisbon", "Oslo", "Quito", "Hanoi"]), values
