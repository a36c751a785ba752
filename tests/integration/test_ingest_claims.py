"""The ingest claim (workers/claims.py) against a real redis-server: which batches a process may
take with its message, and which it must leave to their own messages."""
import time

import pytest

from memq.runner import free_port, start_redis, wait_for_redis
from pipeline import keys
from pipeline.models import Candidate, Source
from pipeline.stages.embed import embed_batches
from tests.ports import HashEmbedder
from workers import claims
from workers.claims import IngestClaims

ME, OTHER = "ingest:host:1", "ingest:host:2"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    port = free_port()
    proc = start_redis(tmp_path_factory.mktemp("redis"), port)
    try:
        yield wait_for_redis(f"redis://127.0.0.1:{port}/0")
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture(autouse=True)
def clean(client):
    client.flushdb()
    client.set(keys.heartbeat(ME), "1")


def accept(client, task_id: str, messages: int = 8, status: str = "queued", at: float | None = None) -> None:
    """As intake writes a batch's record, in the in-flight set scored by accept time."""
    client.hset(keys.task(task_id), mapping={"status": status, "messages": messages, "stages": "{}"})
    client.zadd(keys.INFLIGHT, {task_id: at or time.time()})


def owner(client, task_id: str) -> str | None:
    raw = client.hget(keys.task(task_id), claims.FIELD)
    return raw.decode() if raw else None


def test_a_message_claims_its_batch_and_the_oldest_waiting_ones_up_to_the_budget(client):
    for i in range(6):
        accept(client, f"t{i}", messages=8, at=100 + i)
    accept(client, "started", messages=8, status="running", at=50)  # its own message runs it
    got = IngestClaims(client, ME).claim("t3", message_budget=24)
    assert got == ["t3", "t0", "t1"]
    assert [owner(client, t) for t in ("t0", "t1", "t2", "t3", "started")] == [ME, ME, None, ME, None]


def test_with_two_processes_a_message_claims_about_half_of_what_waits(client):
    for i in range(6):
        accept(client, f"t{i}", messages=8, at=100 + i)
    first = IngestClaims(client, ME).claim("t0", message_budget=128, processes=2)
    assert first == ["t0", "t1", "t2"]  # 24 of the 48 messages waiting
    client.set(keys.heartbeat(OTHER), "1")
    assert IngestClaims(client, OTHER).claim("t3", message_budget=128, processes=2) == ["t3", "t4"]


def test_no_budget_claims_only_the_message_batch(client):
    accept(client, "a", at=1)
    accept(client, "b", at=2)
    assert IngestClaims(client, ME).claim("b", message_budget=0) == ["b"]
    assert owner(client, "a") is None


def test_a_batch_claimed_by_a_live_process_is_left_to_it_and_a_dead_ones_is_taken_over(client):
    accept(client, "x", at=1)
    client.set(keys.heartbeat(OTHER), "1")
    assert IngestClaims(client, OTHER).claim("x", 8) == ["x"]
    assert IngestClaims(client, ME).claim("x", 8) == []  # its message, redelivered: the owner is alive
    client.delete(keys.heartbeat(OTHER))  # the owner was killed: its heartbeat expired
    assert IngestClaims(client, ME).claim("x", 8) == ["x"]
    assert owner(client, "x") == ME


def test_done_finished_or_deleted_batches_are_not_claimed(client):
    accept(client, "done", at=1)
    accept(client, "completed", status="completed", at=2)
    accept(client, "failed", status="failed", at=3)
    mine = IngestClaims(client, ME)
    assert mine.claim("done", 0) == ["done"]
    mine.done("done")
    for task_id in ("done", "completed", "failed", "deleted"):
        assert mine.claim(task_id, 64) == [], task_id
    mine.done("deleted")
    assert not client.exists(keys.task("deleted")), "done() must not recreate a deleted record"


def test_a_released_claim_is_claimable_again_but_never_as_an_extra_once_started(client):
    accept(client, "r", at=1)
    mine = IngestClaims(client, ME)
    assert mine.claim("r", 0) == ["r"]
    client.hset(keys.task("r"), "status", "running")  # its extract started, then hit a 429
    mine.release("r")
    accept(client, "other", at=2)
    assert mine.claim("other", 64) == ["other"]  # "r" is in retry: only its own message runs it
    assert IngestClaims(client, OTHER).claim("r", 0) == ["r"]


def test_a_release_by_another_process_does_not_drop_the_claim(client):
    accept(client, "k", at=1)
    IngestClaims(client, ME).claim("k", 0)
    IngestClaims(client, OTHER).release("k")
    assert owner(client, "k") == ME


def test_a_retry_from_extract_resets_the_claim(client):
    accept(client, "f", at=1)
    IngestClaims(client, ME).done("f")
    pipe = client.pipeline()
    claims.reset(pipe, "f")
    pipe.execute()
    assert IngestClaims(client, OTHER).claim("f", 0) == ["f"]


def test_several_batches_are_embedded_in_one_call_each_distinct_text_once():
    calls = []

    class Counting(HashEmbedder):
        def embed(self, texts):
            calls.append(list(texts))
            return super().embed(texts)

    def cand(text, kind="raw"):
        source = Source(conversation_id="c", message_index=0, role="user", chat_time="2025-01-01 09:00:00", content=text)
        return Candidate(kind=kind, text=text, sources=[source], said_at=0)

    batches = [[cand("[1 May 2025] user: hello"), cand("[1 May 2025] user: I live in Oslo.")], [],
               [cand("[2 May 2025] user: hello"), cand("The user plays chess (2 May 2025).", "fact")]]
    out = embed_batches(batches, Counting())
    # a raw message's vector leaves its date stamp out: the same greeting on two days is one text
    assert calls == [["user: hello", "user: I live in Oslo.", "The user plays chess (2 May 2025)."]]
    assert [len(b.candidates) for b in out] == [2, 0, 2]
    assert out[2].candidates[0].text == "[2 May 2025] user: hello"  # the stored text keeps it
    alone = HashEmbedder().embed(["user: I live in Oslo."])[0]
    assert out[0].dense(1) == pytest.approx(alone, abs=1e-6)
    assert out[0].dense(0) == out[2].dense(0)


def test_batches_embedded_together_keep_their_own_outcomes(stack):
    """The ingest process takes waiting batches with its message: a corrupt one among them fails
    alone, in its extract stage, and the others complete with their own stage records."""
    import json
    import os
    import signal

    pids = json.loads((stack.data_dir / "runtime.json").read_text())["pids"]
    user = f"claims-{os.getpid()}-{time.time_ns()}"
    os.killpg(pids["ingest-worker"], signal.SIGSTOP)  # the batches wait in the queue together
    try:
        tasks = [stack.add(user, [{"role": "user", "content": f"I keep {n} bees in my garden in Ghent."}],
                           conversation_id=f"hive-{n}", wait=False)["task_id"] for n in range(3)]
        stack.redis.set(keys.batch(tasks[1]), "{not json")
    finally:
        os.killpg(pids["ingest-worker"], signal.SIGCONT)
    done = [stack.wait_task(t) for t in tasks]
    assert [d["status"] for d in done] == ["completed", "failed", "completed"]
    assert done[1]["stages"]["extract"]["status"] == "failed" and done[1]["error"]["code"] == 50142
    assert "ValidationError" in done[1]["error"]["message"]
    for d in (done[0], done[2]):
        assert {s: v["status"] for s, v in d["stages"].items()} == dict.fromkeys(("extract", "embed", "resolve", "write"), "done")
    embeds = [line for line in stack.log_path.read_text().splitlines()
              if "stage.done" in line and "stage=embed" in line and f"task_id={tasks[0]}" in line]
    assert len(embeds) == 1 and "batches_in_call=2" in embeds[0]  # tasks 0 and 2 in one model call
    found = stack.search(user, "how many bees do I keep")
    texts = " ".join(m["memory_value"] for m in found["memory_detail_list"])
    assert "0 bees" in texts and "2 bees" in texts


class FlakyBroker:
    """Stands in for the Celery app's send_task: down for the first `down` sends (Redis was
    restarting), then records what is sent."""

    def __init__(self, down: int):
        self.down, self.sent = down, []

    def send_task(self, name, args):
        if self.down:
            self.down -= 1
            raise ConnectionError("redis is restarting")
        self.sent.append((name, args[0]))


def test_batches_a_live_process_could_not_hand_back_are_handed_back_once_redis_answers(client, monkeypatch):
    from workers import ingest
    monkeypatch.setattr(ingest, "_claims", lambda: IngestClaims(client, ME))
    monkeypatch.setattr(ingest, "HANDBACK_RETRY_SECONDS", 0.05)
    for task_id in ("t1", "t2"):
        accept(client, task_id)
    assert IngestClaims(client, ME).claim("t1", message_budget=16) == ["t1", "t2"]
    broker = FlakyBroker(down=1)
    for task_id in ("t1", "t2"):  # the task's own handback failed: Redis was down
        ingest._hand_back_later(broker, task_id)
    deadline = time.time() + 5
    while (len(broker.sent) < 2 or ingest._unreturned) and time.time() < deadline:
        time.sleep(0.05)
    # both go out again, claimable by any process: the sweeper would never have taken them from
    # this process, which is alive
    assert sorted(broker.sent) == [("ingest.extract", "t1"), ("ingest.extract", "t2")]
    assert owner(client, "t1") is None and owner(client, "t2") is None
    assert not ingest._unreturned
