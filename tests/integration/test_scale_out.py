"""Scale-out: two store worker processes on one user's batches end in the state one worker makes.

Both stacks run memq's real server-mode code path (qdrant-client over HTTP) against
tests/qdrant_standin.py, a test-only stand-in for a Qdrant server (no server binary can be
installed here; qdrant-client's local mode admits one process, the stand-in serves many).

One user's batches are sent without waiting, with two ingest processes, so they reach the store
queue together and both store workers take them. The per-user lock must serialise them: the
test reads the order in which the two workers took the lock (each batch's resolve start in its
task record), replays the batches one by one in that order on a one-store-worker stack, and
asserts the same memories, versions, sources and graph. Batches sent together reach resolve in
any order, updates before the statements they replace included: conflict resolution goes by when
each statement was said, so every order must end in the same resolution (check_resolution). Then
a late duplicate of a finished store task and a redelivery after a crash between write and
completion must leave the state as it is."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import httpx
import pytest
from celery import Celery

from memq.runner import free_port
from pipeline import keys
from pipeline.models import user_scope
from pipeline.stores.graph_store import GraphStore
from pipeline.stores.qdrant_store import QdrantServerStore
from pipeline.stores.vector_store import Scope
from tests.stack import ROOT, Stack, new_stack, unique

pytestmark = pytest.mark.integration

DIM = 384


def said(text: str, when: str, conversation: str) -> dict:
    return {"conversation_id": conversation, "messages": [{"role": "user", "content": text, "chat_time": when}]}


# Each batch in its own conversation: message indices (part of a memory's sources) are then the
# same whatever order the API accepts them in. The updates come first, so that in most orders
# some statement they replace reaches resolve after them.
BATCHES = [
    said("I moved to Shanghai last month.", "2025-06-10 09:00:00", "c-move"),  # supersedes Beijing
    said("I don't like jazz music any more.", "2025-06-11 09:00:00", "c-taste"),  # a preference change
    said("I live in Beijing.", "2025-03-01 09:00:00", "c-home"),
    said("I love jazz music.", "2025-03-02 09:00:00", "c-music"),
    said("I work as a nurse at Ruijin Hospital.", "2025-03-03 09:00:00", "c-work"),
    said("I live in Beijing.", "2025-03-01 09:00:00", "c-home-again"),  # an exact duplicate
    said("I really love jazz music!", "2025-03-05 09:00:00", "c-music-again"),  # a near duplicate
    said("I adopted a cat named Mochi.", "2025-06-12 09:00:00", "c-pet"),
]


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("standin") / "standin.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "tests.qdrant_standin", "--port", str(port),
                                "--path", str(tmp_path_factory.mktemp("standin-data"))],
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, open(log.name).read()
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "the Qdrant stand-in did not start"
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=15)
    log.close()


def start(stack: Stack, standin_url: str, store_workers: int) -> str:
    """Start the stack on its own collection of the stand-in; the collection's name."""
    collection = f"scale_{uuid.uuid4().hex[:8]}"
    stack.start(extra_env={"MEMQ_QDRANT_URL": standin_url, "MEMQ_QDRANT_COLLECTION": collection,
                           "MEMQ_STORE_WORKERS": str(store_workers), "MEMQ_INGEST_CONCURRENCY": "2"})
    # /health is 200 once one store worker beats: wait for every one, so that both take work
    deadline = time.monotonic() + 120
    health = f"http://127.0.0.1:{stack.port}/health"
    while httpx.get(health, timeout=5).json()["checks"]["store_workers"] < store_workers:
        assert time.monotonic() < deadline, stack.log_path.read_text()[-3000:]
        time.sleep(0.2)
    return collection


def send_together(stack: Stack, user_id: str, batches: list[dict]) -> list[str]:
    """Accepted one after another without waiting for any; their task ids, once all completed."""
    task_ids = [stack.add(user_id, wait=False, **batch)["task_id"] for batch in batches]
    for task_id in task_ids:
        assert stack.wait_task(task_id)["status"] == "completed"
    return task_ids


def records(stack: Stack, task_ids: list[str]) -> dict[str, dict]:
    out = {}
    for task_id in task_ids:
        record = {k.decode(): v.decode() for k, v in stack.redis.hgetall(keys.task(task_id)).items()}
        out[task_id] = {**record, "stages": json.loads(record["stages"])}
    return out


def memories(standin_url: str, collection: str, user_id: str) -> dict[str, dict]:
    """Every memory of the user, current and archived, read back through qdrant-client, without
    what differs between runs by nature: write times and task ids."""
    store = QdrantServerStore(standin_url, None, collection, dim=DIM)
    try:
        found = store.scan(Scope("default", user_id, include_archived=True))
    finally:
        store.close()
    return {m.id: {"kind": m.kind, "text": m.text, "status": m.status, "superseded_by": m.superseded_by,
                   "supersedes": sorted(m.supersedes), "history": sorted(v["id"] for v in m.history),
                   "sources": sorted((s.conversation_id, s.message_index) for s in m.sources),
                   "conversation_id": m.conversation_id, "slot": m.slot, "said_at": m.said_at,
                   "valid_to": m.valid_to,
                   "entities": sorted(m.entities), "tags": sorted(m.tags)} for m in found}


def graph(stack: Stack, user_id: str) -> tuple[list, list]:
    loaded = GraphStore(stack.redis).load(user_scope("default", user_id))
    return (sorted((n, sorted(d.items())) for n, d in loaded.nodes(data=True)),
            sorted((tuple(sorted((a, b))), d["rel"]) for a, b, d in loaded.edges(data=True)))


def drained(stack: Stack, timeout: float = 60.0) -> None:
    """Until no store message waits or runs (kombu keeps a taken message in `unacked`)."""
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 3:
        r = stack.redis
        busy = r.llen("store") + r.hlen("unacked") + r.zcard(keys.INFLIGHT)
        quiet = quiet + 1 if busy == 0 else 0
        assert time.monotonic() < deadline, "the store queue did not drain"
        time.sleep(0.2)


def redeliver(stack: Stack, task_name: str, task_id: str) -> None:
    publisher = Celery("scale-out-test", broker=stack.runtime["redis_url"])
    publisher.conf.task_serializer = "json"
    with publisher.connection_for_write() as conn:
        publisher.send_task(task_name, args=[task_id], queue="store", connection=conn,
                            headers={"request_id": "scale-out-test"})


def test_two_store_workers_end_in_the_state_one_worker_makes(standin, tmp_path):
    user_id = unique("scale")
    with ExitStack() as cleanup, ThreadPoolExecutor(2) as pool:
        two, one = new_stack(tmp_path), new_stack(tmp_path)
        cleanup.callback(two.stop)
        cleanup.callback(one.stop)
        starting = [pool.submit(start, two, standin, 2), pool.submit(start, one, standin, 1)]
        two_collection, one_collection = [started.result() for started in starting]

        task_ids = send_together(two, user_id, BATCHES)
        done = records(two, task_ids)

        # Both store workers took part, and they are the runner's two store worker processes.
        store_pids = {two.runtime["pids"]["store-worker"], two.runtime["pids"]["store-worker-2"]}
        ran = {r["stages"][stage]["worker"] for r in done.values() for stage in ("resolve", "write")}
        assert {int(worker.rsplit(":", 1)[1]) for worker in ran} == store_pids, ran

        # The per-user lock held across processes: no batch resolved while another's write was
        # pending, though some were ready (embedded) before the batch ahead of them was written.
        order = sorted(task_ids, key=lambda t: done[t]["stages"]["resolve"]["start"])
        pairs = [(done[earlier]["stages"], done[later]["stages"]) for earlier, later in zip(order, order[1:])]
        assert all(ahead["write"]["end"] <= behind["resolve"]["start"] for ahead, behind in pairs), pairs
        assert any(behind["embed"]["end"] < ahead["write"]["end"] for ahead, behind in pairs), pairs

        batches = dict(zip(task_ids, BATCHES))
        for task_id in order:
            one.add(user_id, **batches[task_id])

        scaled, single = memories(standin, two_collection, user_id), memories(standin, one_collection, user_id)
        assert scaled == single
        assert graph(two, user_id) == graph(one, user_id)
        check_resolution(scaled)

        # Idempotence across workers. A late duplicate of the store task that stored "Beijing"
        # (applied again, it would make the superseded memory current again) is skipped; the last batch,
        # redelivered after a crash between its write and its completion, re-applies its saved plan.
        graph_before = graph(two, user_id)
        beijing_task = next(t for t in order if batches[t]["messages"][0]["content"] == "I live in Beijing.")
        redeliver(two, "store.resolve", beijing_task)
        two.redis.hset(keys.task(order[-1]), "status", "running")
        redeliver(two, "store.resolve", order[-1])
        assert two.wait_task(order[-1])["status"] == "completed"
        drained(two)
        assert memories(standin, two_collection, user_id) == scaled
        assert graph(two, user_id) == graph_before


def check_resolution(state: dict[str, dict]) -> None:
    """What the batches must have made, whichever order they were resolved in."""
    facts = {m["text"]: (mid, m) for mid, m in state.items() if m["kind"] == "fact"}
    prefs = {m["text"]: (mid, m) for mid, m in state.items() if m["kind"] == "preference"}
    current = [m["text"] for m in state.values() if m["status"] == "activated" and m["kind"] != "raw"]
    assert len(current) == len(set(current)), current  # nothing stored twice

    beijing_id, beijing = facts["The user lives in Beijing (1 March 2025)."]
    shanghai_id, shanghai = facts["The user moved to Shanghai in May 2025."]
    assert beijing["status"] == "archived" and beijing["superseded_by"] == shanghai_id
    assert beijing["valid_to"] == shanghai["said_at"]  # valid until the move was said
    assert shanghai["status"] == "activated" and shanghai["supersedes"] == [beijing_id]
    assert [c for c, _ in beijing["sources"]] == ["c-home", "c-home-again"]  # the exact duplicate, merged

    # The near duplicate merged into whichever of the two jazz facts came first: one memory, two sources.
    jazz = [m for text, (_, m) in facts.items() if "loves jazz" in text]
    assert len(jazz) == 1 and [c for c, _ in jazz[0]["sources"]] == ["c-music", "c-music-again"], jazz

    liked_id, liked = prefs["The user likes jazz music."]
    disliked_id, disliked = prefs["The user does not like jazz music any more."]
    assert liked["status"] == "archived" and liked["superseded_by"] == disliked_id
    assert disliked["status"] == "activated" and disliked["supersedes"] == [liked_id]
    assert any("Mochi" in text for text in current) and any("Ruijin Hospital" in text for text in current)


@pytest.mark.parametrize("qdrant_url", [None, "local:/tmp/memq-never-opened"])
def test_more_than_one_store_worker_needs_a_qdrant_server(tmp_path, qdrant_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMQ_")}
    env.update({"MEMQ_DATA_DIR": str(tmp_path), "MEMQ_STORE_WORKERS": "2", "MEMQ_PORT": str(free_port()),
                **({"MEMQ_QDRANT_URL": qdrant_url} if qdrant_url else {})})
    result = subprocess.run([sys.executable, "-m", "memq.runner"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "MEMQ_STORE_WORKERS=2 needs a Qdrant server" in result.stderr, result.stderr
    assert not any(tmp_path.iterdir())  # refused before starting anything: no Redis, no runtime.json
