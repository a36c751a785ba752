"""Traffic helpers for the metrics and dashboard tests: wait for the shared stack to be idle (so
that counters move only by what a test sends), scrape /metrics, and make a task fail for real."""
from __future__ import annotations

import time
import uuid

import httpx
from celery import Celery
from prometheus_client.parser import text_string_to_metric_families

from pipeline import keys

QUEUES = ("ingest", "store", "query")


def wait_idle(stack, timeout: float = 120.0) -> None:
    """Until no task waits or runs, three times in a row: earlier tests may leave batches in flight.
    Batches are counted by the in-flight set, not kombu's unacked hash: a worker killed by the
    fault tests leaves its message there until the visibility timeout, though the sweeper has
    long finished that batch (and the late redelivery is skipped, touching no counter)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        r = stack.redis
        busy = sum(r.llen(q) for q in QUEUES) + r.zcard(keys.INFLIGHT)
        quiet = quiet + 1 if busy == 0 else 0
        if quiet >= 3:
            return
        time.sleep(0.2)
    raise TimeoutError("the stack did not become idle")


def scrape(stack) -> dict[tuple[str, tuple], float]:
    """/metrics as {(sample name, sorted labels): value}."""
    text = httpx.get(f"http://127.0.0.1:{stack.port}/metrics", timeout=30).text
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def fail_a_task(stack, project: str = "default", user_id: str = "ops-test") -> str:
    """A task whose batch is gone (as after its user was deleted): the real extract stage fails
    it with 50143. Its record is written as intake writes one; the message goes through Celery."""
    task_id = uuid.uuid4().hex
    now_ms = int(time.time() * 1000)
    stack.redis.hset(keys.task(task_id), mapping={
        "task_id": task_id, "project": project, "user_id": user_id, "conversation_id": "c1", "status": "queued",
        "created_at": now_ms, "updated_at": now_ms, "messages": 1, "request_id": "ops-test", "stages": "{}"})
    publisher = Celery("ops-test", broker=stack.runtime["redis_url"])
    publisher.conf.task_serializer = "json"
    with publisher.connection_for_write() as conn:
        publisher.send_task("ingest.extract", args=[task_id], queue="ingest", connection=conn,
                            headers={"request_id": "ops-test"})
    return task_id


def stage_seconds(status: dict, stage: str) -> float:
    entry = status["stages"][stage]
    return (entry["end"] - entry["start"]) / 1000



QUOTA_WINDOW = 60  # MEMQ_QUOTA_WINDOW_SECONDS, as the shared test stack runs


def in_one_quota_window(needed: float = 20.0) -> None:
    """Wait, if fewer than `needed` seconds are left, for the next quota window to begin. The
    windows are fixed minutes of the clock: a test that compares charges across several requests
    must not see the minute turn between them (the count starts again at 0)."""
    left = QUOTA_WINDOW - time.time() % QUOTA_WINDOW
    if left < needed:
        time.sleep(left + 0.05)


def used_up(stack, api_key: str, budget: int) -> None:
    """The key's quota window spent (this one and the next, should the minute turn), as earlier
    requests would have spent it: the way to a 40309, since a request larger than the key's whole
    budget is a 40305."""
    from api.auth import hash_key

    start = int(time.time() // QUOTA_WINDOW * QUOTA_WINDOW)
    for at in (start, start + QUOTA_WINDOW):
        stack.redis.set(keys.quota(hash_key(api_key), at), budget, ex=3 * QUOTA_WINDOW)
