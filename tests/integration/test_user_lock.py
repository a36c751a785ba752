"""The store worker's per-user lock (workers/store.py) against a real redis-server: a batch takes
the lock from a holder that has finished, which only a process killed between its batch's end and
letting go leaves behind; never from one still at work."""
import pytest

from memq import settings
from memq.runner import free_port, start_redis, wait_for_redis
from pipeline import keys
from workers import runtime, store


@pytest.fixture
def redis_url(tmp_path, monkeypatch):
    port = free_port()
    proc = start_redis(tmp_path, port)
    url = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("MEMQ_REDIS_URL", url)
    caches = (settings.get_settings, runtime.redis_client, runtime.task_store)
    for cache in caches:
        cache.cache_clear()
    try:
        yield wait_for_redis(url)
    finally:
        for cache in caches:
            cache.cache_clear()
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("holder_status, taken", [("completed", True), ("failed", True), (None, True),
                                                   ("running", False), ("queued", False)])
def test_the_lock_is_taken_from_a_finished_holder_only(redis_url, holder_status, taken):
    client = redis_url
    if holder_status:
        client.hset(keys.task("holder"), mapping={"status": holder_status, "user_id": "u"})
    assert store._take_lock("scope-1", "holder")  # the holder took it, then (maybe) finished or died
    assert store._take_lock("scope-1", "next") is taken
    assert store._lock().holder("scope-1") == ("next" if taken else "holder")
