"""Fault tests against the real stack: each asserts the final memory set, not just "no error".

(a) kill -9 a worker mid-batch  (b) concurrent overlapping adds  (c) Redis restart between
accept and processing  (d) the store raising in the write stage, then `memq tasks retry`.
(e), the same batch sent twice, is in test_intake_fields.py (with and without Idempotency-Key)."""
import json
import os
from concurrent.futures import ThreadPoolExecutor
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from pipeline import keys
from pipeline.models import user_scope
from tests.stack import ROOT, unique

FACTS = ["I adopted a beagle named Pixel.", "I work as a nurse in Chengdu.", "I play the cello on weekends.",
         "I am allergic to peanuts.", "My sister lives in Toronto.", "I drive a blue Honda Civic.",
         "I am training for the Shanghai marathon.", "I collect vintage postcards."]


def runtime(stack) -> dict:
    return json.loads((stack.data_dir / "runtime.json").read_text())


def signal_child(stack, name: str, sig: int) -> None:
    os.killpg(runtime(stack)["pids"][name], sig)  # each child runs in its own process group


def wait_healthy(stack, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{stack.port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError("stack did not become healthy again")


CITIES = "Paris Tokyo Lima Oslo Cairo Hanoi Quito Dakar Perth Riga Porto Kyoto Seville Bergen Tunis Cusco Goa Bali Fez Nice".split()
DOINGS = ("hiking", "a cooking class", "a jazz concert", "kayaking", "a pottery workshop", "a chess tournament",
          "birdwatching", "a wine tasting", "rock climbing", "a silent retreat")
PEOPLE = "Anna Bruno Chen Dara Emil Farah Goran Hana Ivo Jules".split()


def batch(i: int) -> list[dict]:
    """30 distinct statements: large enough that killing a worker lands in the middle of it, and
    far enough apart that near-duplicate merging cannot depend on processing order."""
    return [{"role": "user", "content": f"I went to {DOINGS[j % 10]} in {CITIES[(i * 7 + j) % 20]} "
                                        f"with {PEOPLE[(i * 3 + j) % 10]}, number {i * 30 + j}.",
             "chat_time": f"2025-03-{1 + i:02d} 10:{j:02d}:00"} for j in range(30)]


def memory_values(stack, user_id) -> list[str]:
    data = stack.post("/get/memory", {"user_id": user_id, "size": 50, "include_preference": True}).json()["data"]
    values = [m["memory_value"] for m in data["memory_detail_list"]] + [m["preference"] for m in data["preference_detail_list"]]
    pages = data["pages"]
    for page in range(2, pages + 1):
        more = stack.post("/get/memory", {"user_id": user_id, "size": 50, "page": page,
                                          "include_preference": True}).json()["data"]
        values += [m["memory_value"] for m in more["memory_detail_list"]] + [m["preference"] for m in more["preference_detail_list"]]
    return values


def test_a_kill_9_workers_mid_batch_loses_and_doubles_nothing(stack):
    control, victim = unique("control"), unique("victim")
    for i in range(4):
        stack.add(control, batch(i), conversation_id=f"conv-{i}")
    tasks = [stack.add(victim, batch(i), conversation_id=f"conv-{i}", wait=False)["task_id"] for i in range(4)]
    time.sleep(0.3)
    signal_child(stack, "ingest-worker", signal.SIGKILL)
    time.sleep(1.0)
    signal_child(stack, "store-worker", signal.SIGKILL)
    wait_healthy(stack)
    results = [stack.wait_task(t, timeout=240) for t in tasks]
    assert [r["status"] for r in results] == ["completed"] * 4
    got = memory_values(stack, victim)
    assert len(got) == len(set(got)), "a duplicate memory after the crash"
    assert sorted(got) == sorted(memory_values(stack, control))


def test_b_concurrent_overlapping_adds_keep_one_copy_of_each(stack):
    user_id = unique("concurrent")
    errors, task_ids = [], []

    def client(n):
        try:
            picked = [FACTS[(n + k) % len(FACTS)] for k in range(4)]
            messages = [{"role": "user", "content": text, "chat_time": "2025-05-01 09:00:00"} for text in picked]
            task_ids.append(stack.add(user_id, messages, conversation_id="same-conv", wait=False)["task_id"])
        except Exception as exc:  # collected: a thread's assertion must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert all(stack.wait_task(t)["status"] == "completed" for t in task_ids)
    values = memory_values(stack, user_id)
    assert len(values) == len(set(values))
    for fact in FACTS:
        subject = fact.split(" ", 3)[-1].rstrip(".")
        assert sum(subject in v for v in values) >= 1, (fact, values)
    for value in values:
        assert sum(value == other for other in values) == 1


def test_c_redis_restart_between_accept_and_processing_loses_nothing(stack):
    user_id = unique("redis-restart")
    for name in ("ingest-worker", "store-worker"):
        signal_child(stack, name, signal.SIGSTOP)
    try:
        tasks = [stack.add(user_id, [{"role": "user", "content": FACTS[i]}], conversation_id=f"r{i}",
                           wait=False)["task_id"] for i in range(5)]
        time.sleep(1.5)  # AOF fsyncs every second: what was accepted is on disk
        old = runtime(stack)["redis_pid"]
        os.kill(old, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while runtime(stack)["redis_pid"] == old and time.monotonic() < deadline:
            time.sleep(0.2)
        assert runtime(stack)["redis_pid"] != old, "the runner did not restart redis-server"
    finally:
        for name in ("ingest-worker", "store-worker"):
            signal_child(stack, name, signal.SIGCONT)
    wait_healthy(stack)
    assert [stack.wait_task(t, timeout=240)["status"] for t in tasks] == ["completed"] * 5
    values = " ".join(memory_values(stack, user_id))
    for fact in FACTS[:5]:
        assert fact.split(" ", 3)[-1].rstrip(".") in values
    # The API's pooled connections from before the restart are dead: requests drawing them are
    # served on fresh ones, not answered 503.
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: stack.post("/add/message", {
            "user_id": unique("after-restart"), "conversation_id": "c",
            "messages": [{"role": "user", "content": f"I have {i} cats."}]}), range(40)))
    answers = [(r.status_code, r.text[:200]) if r.status_code != 200 else 200 for r in answers]
    assert answers == [200] * 40, answers


def memq_cli(stack, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEMQ_REDIS_URL": runtime(stack)["redis_url"]}
    return subprocess.run([sys.executable, "-m", "memq.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_d_store_failure_in_write_fails_with_50143_then_retry_succeeds(stack):
    user_id = unique("write-fault")
    graph_key = keys.user_graph_log(user_scope("default", user_id))
    stack.redis.set(graph_key, "not a change log")  # the graph store will raise WRONGTYPE in the write stage
    task = stack.add(user_id, [{"role": "user", "content": FACTS[0]}], wait=False)["task_id"]
    failed = stack.wait_task(task)
    assert failed["status"] == "failed" and failed["error"]["code"] == 50143
    assert "WRONGTYPE" in failed["error"]["message"]
    listing = memq_cli(stack, "tasks", "failed", "--json")
    rows = [json.loads(line) for line in listing.stdout.splitlines()]
    assert [r for r in rows if r["task_id"] == task and r["code"] == 50143 and r["stage"] == "write"], listing
    stack.redis.delete(graph_key)  # the fix
    retried = memq_cli(stack, "tasks", "retry", task)
    assert retried.returncode == 0 and "write" in retried.stdout, retried.stdout + retried.stderr
    done = stack.wait_task(task)
    assert done["status"] == "completed" and "error" not in done
    values = memory_values(stack, user_id)
    assert sum("Pixel" in v for v in values) == 1
    assert task not in memq_cli(stack, "tasks", "failed", "--json").stdout
