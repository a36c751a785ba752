"""/metrics against the real stack: every counter moves by exactly the traffic the test sends,
the histograms hold the durations get/status reports, and the worker logs carry the request id
of the add that started each task (and never the message text)."""
import re
import uuid

import httpx
import pytest
from celery.exceptions import Retry

from api.auth import create_key
from memq.errors import TransientError
from tests.stack import unique
from tests.traffic import fail_a_task, scrape, stage_seconds, used_up, value, wait_idle

STAGES = ("extract", "embed", "resolve", "write")
N_ADDS, M_MESSAGES, N_SEARCHES = 3, 4, 2
SECRET = "zebra-violet-4471"  # in a message: must never reach a log line at INFO


def conversation(i: int) -> list[dict]:
    return [{"role": "user", "content": f"I adopted a cat named Miso{i} and I live in Lisbon. {SECRET}"},
            {"role": "assistant", "content": "Lovely, how old is the cat?"},
            {"role": "user", "content": f"Miso{i} is {i + 2} years old and loves tuna."},
            {"role": "assistant", "content": "Noted."}][:M_MESSAGES]


@pytest.fixture(scope="module")
def traffic(stack):
    """Send a known mix of traffic once; the tests below compare /metrics before and after."""
    wait_idle(stack)
    before = scrape(stack)
    user = unique("metrics")
    adds = []
    for i in range(N_ADDS):
        res = stack.post("/add/message", {"user_id": user, "conversation_id": "c1", "messages": conversation(i)})
        assert res.status_code == 200, res.text
        adds.append((res.headers["X-Request-ID"], res.json()["data"]["task_id"]))
    done = [stack.wait_task(task_id) for _, task_id in adds]
    assert all(d["status"] == "completed" for d in done), done
    for _ in range(N_SEARCHES):
        stack.search(user, "What is my cat called?")
    small_key = create_key(stack.redis, unique("tight"), quota_tokens=1000)
    used_up(stack, small_key, 1000)
    refused = stack.post("/add/message", {"user_id": user, "conversation_id": "c1", "messages": conversation(0)},
                         api_key=small_key)
    assert refused.json()["code"] == 40309
    too_many = stack.post("/add/message", {"user_id": user, "conversation_id": "c1",
                                           "messages": [{"role": "user", "content": "hi"}] * 501})
    assert too_many.json()["code"] == 40013
    failed_id = fail_a_task(stack)
    assert stack.wait_task(failed_id)["status"] == "failed"
    added_ids = [m for d in done for m in d["memory_views"]["memory_ids"]["added"]]
    deleted = stack.post("/delete/memory", {"memory_ids": added_ids[:2]}).json()["data"]
    wait_idle(stack)
    return {"before": before, "after": scrape(stack), "done": done, "adds": adds, "user": user,
            "deleted": deleted["deleted"], "failed_id": failed_id}


def delta(traffic, name, **labels):
    return value(traffic["after"], name, **labels) - value(traffic["before"], name, **labels)


def test_counters_move_by_exactly_the_traffic_sent(traffic):
    done = traffic["done"]
    assert delta(traffic, "memq_batches_accepted_total") == N_ADDS
    assert delta(traffic, "memq_messages_accepted_total") == N_ADDS * M_MESSAGES
    for stage in STAGES:
        assert delta(traffic, "memq_tasks_total", stage=stage, status="done") == N_ADDS, stage
        assert delta(traffic, "memq_tasks_total", stage=stage, status="retried") == 0, stage
    assert delta(traffic, "memq_tasks_total", stage="extract", status="failed") == 1
    assert delta(traffic, "memq_memories_total", op="added") == sum(d["memory_views"]["added"] for d in done)
    assert delta(traffic, "memq_memories_total", op="updated") == sum(d["memory_views"]["updated"] for d in done)
    assert delta(traffic, "memq_memories_total", op="deleted") == traffic["deleted"] == 2
    assert delta(traffic, "memq_quota_rejections_total", code="40309") == 1
    assert delta(traffic, "memq_quota_rejections_total", code="40013") == 1
    assert delta(traffic, "memq_search_duration_seconds_count") == N_SEARCHES
    assert delta(traffic, "memq_accept_to_searchable_seconds_count") == N_ADDS
    # The offline extractor calls no LLM: the token counters exist and stay put.
    assert ("memq_llm_tokens_total", (("direction", "input"),)) in traffic["after"]
    assert delta(traffic, "memq_llm_tokens_total", direction="input") == 0


def test_histograms_hold_the_durations_that_get_status_reports(traffic):
    done = traffic["done"]
    for stage in STAGES:
        assert delta(traffic, "memq_stage_duration_seconds_count", stage=stage) == N_ADDS
        measured = delta(traffic, "memq_stage_duration_seconds_sum", stage=stage)
        reported = sum(stage_seconds(d, stage) for d in done)
        # The histogram times the whole run (recording and forwarding included), the record the stage body.
        assert reported - 0.01 <= measured <= reported * 1.5 + 0.1 * N_ADDS, (stage, measured, reported)
        inf = delta(traffic, "memq_stage_duration_seconds_bucket", stage=stage, le="+Inf")
        assert inf == N_ADDS
    searchable = delta(traffic, "memq_accept_to_searchable_seconds_sum")
    reported = sum((d["stages"]["write"]["end"] - d["created_at"]) / 1000 for d in done)
    assert abs(searchable - reported) <= 0.05 * N_ADDS, (searchable, reported)


def test_gauges_show_queues_and_live_workers(stack, traffic):
    after = traffic["after"]
    for queue in ("ingest", "store", "query"):
        assert value(after, "memq_queue_depth", queue=queue) == 0
        assert value(after, "memq_oldest_task_age_seconds", queue=queue) == 0
        assert ("memq_queue_depth", (("queue", queue),)) in after
    # The test stack runs one ingest process (concurrency 1) and one store worker.
    assert value(after, "memq_workers_alive", role="ingest") == 1
    assert value(after, "memq_workers_alive", role="store") == 1


def test_failed_task_shows_its_code_reason_and_stage(stack, traffic):
    status = stack.wait_task(traffic["failed_id"])
    assert status["error"]["code"] == 50143 and "batch is gone" in status["error"]["message"]
    assert status["stages"]["extract"]["status"] == "failed" and status["stages"]["extract"]["attempts"] == 1


def test_task_logs_carry_request_user_task_and_stage_but_no_message_text(stack, traffic):
    log = stack.log_path.read_text()
    assert SECRET not in log
    for request_id, task_id in traffic["adds"]:
        lines = [line for line in log.splitlines() if f"task_id={task_id}" in line]
        done = [line for line in lines if "stage.done" in line]
        assert sorted(re.search(r"stage=(\w+)", line).group(1) for line in done) == sorted(STAGES), lines
        for line in lines:
            assert f"request_id={request_id}" in line and f"user_id={traffic['user']}" in line, line
        assert all(re.search(r"duration_ms=[\d.]+", line) for line in done)


@pytest.fixture
def worker_runtime(stack, monkeypatch):
    """The workers' runtime (settings, Redis client, task store) pointed at the stack's Redis, as
    in a worker process, for calling stage code in the test process."""
    from memq import settings
    from workers import runtime

    monkeypatch.setenv("MEMQ_REDIS_URL", stack.runtime["redis_url"])
    caches = (settings.get_settings, runtime.redis_client, runtime.task_store)
    for cache in caches:
        cache.cache_clear()
    try:
        yield runtime
    finally:
        for cache in caches:
            cache.cache_clear()


def test_a_retried_stage_shows_its_attempts_and_is_counted(stack, worker_runtime):
    """run_stage (the real wrapper, task store and metrics) against the stack's Redis, with a
    minimal stand-in for Celery's Task: the first attempt hits a transient error, the second works."""
    from workers.stage import run_stage

    task_id = uuid.uuid4().hex
    stack.redis.hset(f"memq:task:{task_id}", mapping={"task_id": task_id, "project": "default",
                                                       "user_id": "retry-user", "status": "queued",
                                                       "created_at": 1, "stages": "{}"})
    before = scrape(stack)
    calls = []

    def body():
        calls.append(1)
        if len(calls) == 1:
            raise TransientError("LLM 529 overloaded")
        worker_runtime.task_store().stage_finished(task_id, "extract", {"candidates": 0})  # as the real bodies do
        return {"candidates": 0}

    with pytest.raises(Retry):
        run_stage(FakeTask(retries=0), task_id, "extract", body)
    retrying = stack.post("/get/status", {"task_id": task_id}).json()["data"]["stages"]["extract"]
    assert retrying["status"] == "retrying" and retrying["attempts"] == 1
    assert "529" in retrying["last_error"]
    run_stage(FakeTask(retries=1), task_id, "extract", body)
    after = scrape(stack)
    stage = stack.post("/get/status", {"task_id": task_id}).json()["data"]["stages"]["extract"]
    assert stage["attempts"] == 2 and stage["start"] <= stage["end"]
    assert value(after, "memq_tasks_total", stage="extract", status="retried") - \
        value(before, "memq_tasks_total", stage="extract", status="retried") == 1


def test_a_stage_resent_without_headers_logs_under_the_request_id_the_batch_came_with(stack, worker_runtime):
    """Crash recovery and `memq tasks retry` publish bare messages: the stage's log lines still
    carry the request id, read from the task record."""
    import structlog

    from workers.stage import run_stage

    task_id = uuid.uuid4().hex
    stack.redis.hset(f"memq:task:{task_id}", mapping={"task_id": task_id, "project": "default",
                                                       "user_id": "resent-user", "status": "running",
                                                       "created_at": 1, "stages": "{}", "request_id": "gw.accepted-9"})
    seen = []

    def body():
        seen.append(structlog.contextvars.get_contextvars().get("request_id"))
        worker_runtime.task_store().stage_finished(task_id, "extract", {"candidates": 0})
        return {"candidates": 0}

    bare = type("Task", (), {"request": type("Request", (), {"retries": 0, "headers": None})()})()
    run_stage(bare, task_id, "extract", body)
    assert seen == ["gw.accepted-9"]


class FakeTask:
    """What run_stage uses of a bound Celery task: its retry count, headers and retry()."""

    def __init__(self, retries: int):
        self.request = type("Request", (), {"retries": retries, "headers": {"request_id": "retry-test"}})()

    def retry(self, exc, countdown):
        return Retry(exc=exc, when=countdown)


def test_metrics_endpoint_is_prometheus_text(stack):
    res = httpx.get(f"http://127.0.0.1:{stack.port}/metrics", timeout=30)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/plain")
    for name in ("memq_queue_depth", "memq_oldest_task_age_seconds", "memq_tasks_total", "memq_stage_duration_seconds",
                 "memq_batches_accepted_total", "memq_messages_accepted_total", "memq_memories_total",
                 "memq_quota_rejections_total", "memq_llm_tokens_total", "memq_search_duration_seconds",
                 "memq_workers_alive"):
        assert f"# TYPE {name.removesuffix('_total')}" in res.text or f"# TYPE {name}" in res.text, name


def test_a_callers_request_id_is_carried_to_the_workers_and_a_wild_one_replaced(stack):
    user = unique("rid")
    res = stack.post("/add/message", {"user_id": user, "conversation_id": "c1", "messages": conversation(0)},
                     headers={"X-Request-ID": "gw.trace-42"})
    assert res.headers["X-Request-ID"] == "gw.trace-42"
    task_id = res.json()["data"]["task_id"]
    assert stack.wait_task(task_id)["status"] == "completed"
    lines = [line for line in stack.log_path.read_text().splitlines() if f"task_id={task_id}" in line]
    assert len([line for line in lines if "stage.done" in line]) == 4
    assert all("request_id=gw.trace-42" in line for line in lines), lines
    wild = stack.post("/get/status", {"task_id": task_id}, headers={"X-Request-ID": "x" * 200 + "{}"})
    assert re.fullmatch(r"[0-9a-f]{16}", wild.headers["X-Request-ID"])
