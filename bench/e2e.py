"""End to end: messages per second from accept to stored (searchable), with the offline
extractor, against the embedder alone encoding the same number of texts with the same number of
single-thread processes (the physical limit of the ingest stage on these cores); then the time
from an add's answer until a search finds what it said, at half the sustained maximum."""
from __future__ import annotations

import json
import multiprocessing as mp
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.common import load, median, percentile, wait_until
from bench.streams import message_count, texts
from pipeline import keys
from tests.stack import Stack

SENDERS = 4  # concurrent add/message clients: the queue, not the intake, is what is measured here


def post_all(stack: Stack, requests: list[dict]) -> list[str]:
    """Send every request (SENDERS at a time); the task ids, in order."""
    def send(chunk: list[dict]) -> list[str]:
        with stack.client() as c:
            out = []
            for body in chunk:
                response = c.post("/add/message", json=body)
                response.raise_for_status()
                out.append(response.json()["data"]["task_id"])
            return out

    chunks = [requests[i::SENDERS] for i in range(SENDERS)]
    with ThreadPoolExecutor(SENDERS) as pool:
        return [t for ids in pool.map(send, chunks) for t in ids]


def finished(stack: Stack, task_ids: list[str]) -> dict[str, tuple[str, int]]:
    """status and updated_at (ms) of every task that has completed or failed."""
    redis = stack.redis
    pipe = redis.pipeline(transaction=False)
    for task_id in task_ids:
        pipe.hmget(keys.task(task_id), "status", "updated_at")
    out = {}
    for task_id, (status, updated) in zip(task_ids, pipe.execute()):
        if status in (b"completed", b"failed"):
            out[task_id] = (status.decode(), int(updated))
    return out


def texts_embedded(stack: Stack, task_ids: list[str]) -> int:
    """How many texts the pipeline embedded (facts and raw chunks: more than one a message)."""
    pipe = stack.redis.pipeline(transaction=False)
    for task_id in task_ids:
        pipe.hget(keys.task(task_id), "stages")
    total = 0
    for raw in pipe.execute():
        stages = json.loads(raw or "{}")
        total += int(stages.get("embed", {}).get("counts", {}).get("vectors", 0))
    return total


def _cpu_seconds(stack: Stack) -> float:
    """CPU time used so far by the stack's processes: API, workers (prefork children included) and Redis."""
    import psutil

    from bench.common import stack_processes

    procs = list(stack_processes(stack).values())
    redis_pid = json.loads((stack.data_dir / "runtime.json").read_text()).get("redis_pid")
    if redis_pid:
        procs.append(psutil.Process(redis_pid))
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def throughput(stack: Stack, requests: list[dict], timeout: float = 900) -> dict:
    """Send the stream as fast as it is accepted; messages per second until the last is stored.
    Also the CPU seconds the stack spent per message: beside the reference's CPU seconds per text,
    a comparison that the other work on a shared machine disturbs much less than wall time."""
    before = load()
    cpu_before = _cpu_seconds(stack)
    started = time.time()
    task_ids = post_all(stack, requests)
    accepted = time.time()
    done: dict = {}

    def all_done() -> bool:
        done.update(finished(stack, [t for t in task_ids if t not in done]))
        return len(done) == len(task_ids)

    wait_until(all_done, timeout, interval=0.5)
    cpu = _cpu_seconds(stack) - cpu_before
    last = max((updated for _, updated in done.values()), default=int(time.time() * 1000)) / 1000
    seconds = last - started
    messages = message_count(requests)
    failed = sum(1 for status, _ in done.values() if status == "failed")
    return {"requests": len(requests), "messages": messages, "seconds": round(seconds, 2),
            "accept_seconds": round(accepted - started, 2), "messages_per_s": round(messages / seconds, 1),
            "failed": failed, "unfinished": len(task_ids) - len(done),
            "texts_embedded": texts_embedded(stack, task_ids), "cpu_ms_per_message": round(1000 * cpu / messages, 2),
            "load_avg": max(before, load())}


# --- the reference: the embedder alone ---

def _encode_share(share: list[str], batch_size: int, barrier, out) -> None:
    from pipeline.embedder import MiniLMEmbedder

    embedder = MiniLMEmbedder(batch_size=batch_size)  # one torch thread, as in the workers
    embedder.embed(["warm up"])
    barrier.wait()
    t0, cpu0 = time.perf_counter(), time.process_time()
    embedder.embed(share)
    out.put((time.perf_counter() - t0, time.process_time() - cpu0))


def embedder_alone(all_texts: list[str], processes: int, batch_size: int) -> dict:
    """`processes` spawned processes of one thread each encode their share of the texts at once."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    shares = [all_texts[i::processes] for i in range(processes)]
    before = load()
    procs = [ctx.Process(target=_encode_share, args=(s, batch_size, barrier, out)) for s in shares]
    for p in procs:
        p.start()
    timings = [out.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
    seconds, cpu = max(wall for wall, _ in timings), sum(cpu for _, cpu in timings)
    return {"texts": len(all_texts), "processes": processes, "threads_per_process": 1, "batch_size": batch_size,
            "seconds": round(seconds, 2), "texts_per_s": round(len(all_texts) / seconds, 1),
            "cpu_ms_per_text": round(1000 * cpu / len(all_texts), 2), "load_avg": max(before, load())}


def bracketing(before: dict, after: dict) -> dict:
    """One reference from the runs before and after memq's: the mean rates, the worst load."""
    mean = lambda key: round((before[key] + after[key]) / 2, 2)  # noqa: E731
    return {**before, "seconds": mean("seconds"), "texts_per_s": mean("texts_per_s"),
            "cpu_ms_per_text": mean("cpu_ms_per_text"), "load_avg": max(before["load_avg"], after["load_avg"]),
            "runs_texts_per_s": [before["texts_per_s"], after["texts_per_s"]]}


# --- time to searchable at half load ---

def _probe(stack: Stack, timeout: float) -> float | None:
    """Add one message with a unique word; seconds from the add's answer until search finds it."""
    user, word = f"probe-{uuid.uuid4().hex[:8]}", f"zq{uuid.uuid4().hex[:10]}"
    with stack.client() as c:
        r = c.post("/add/message", json={"user_id": user, "conversation_id": "probe", "messages": [
            {"role": "user", "content": f"My locker code word is {word} and I keep it secret."}]})
        r.raise_for_status()
        answered = time.perf_counter()
        while time.perf_counter() - answered < timeout:
            found = c.post("/search/memory", json={"user_id": user, "query": f"locker code word {word}"}).json()
            if any(word in m["memory_value"] for m in (found.get("data") or {}).get("memory_detail_list", [])):
                return time.perf_counter() - answered
            time.sleep(0.05)
    return None


class Ingesting:
    """Replays `requests` at `messages_per_s` in a thread for as long as the `with` lasts (or
    `seconds`): the background ingestion the latency figures are measured under."""

    def __init__(self, stack: Stack, requests: list[dict], messages_per_s: float, seconds: float = 3600):
        self.stack, self.requests = stack, requests
        self.interval = message_count(requests) / len(requests) / messages_per_s
        self.stop_at = time.monotonic() + seconds
        self.sent = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Ingesting":
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_at = 0
        self._thread.join()
        self.seconds = time.monotonic() - self.started

    def _run(self) -> None:
        i, next_at = 0, time.monotonic()
        with self.stack.client() as c:
            while time.monotonic() < self.stop_at:
                body = self.requests[i % len(self.requests)]
                c.post("/add/message", json=body).raise_for_status()
                self.sent += len(body["messages"])
                i += 1
                next_at += self.interval
                time.sleep(max(0.0, next_at - time.monotonic()))


def time_to_searchable(stack: Stack, requests: list[dict], messages_per_s: float, seconds: float = 30,
                       probes_per_s: float = 1.0) -> dict:
    """Replay `requests` at `messages_per_s` for `seconds`, with a probe every 1/probes_per_s s."""
    before = load()
    futures = []
    with Ingesting(stack, requests, messages_per_s) as ingesting, ThreadPoolExecutor(4) as pool:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            futures.append(pool.submit(_probe, stack, 30.0))
            time.sleep(1 / probes_per_s)
        latencies = [f.result() for f in futures]
    found = [x for x in latencies if x is not None]
    return {"target_messages_per_s": round(messages_per_s, 1),
            "sent_messages_per_s": round(ingesting.sent / ingesting.seconds, 1),
            "probes": len(latencies), "not_found_in_30s": len(latencies) - len(found),
            "p50_s": round(median(found), 3), "p95_s": round(percentile(found, 95), 3),
            "load_avg": max(before, load())}


def search_latency(stack: Stack, queries: list[dict]) -> dict:
    """Search p50/p95 over the API with a user and a conversation filter (the peer comparison)."""
    latencies = []
    with stack.client() as c:
        for q in queries:
            t0 = time.perf_counter()
            c.post("/search/memory", json={"user_id": q["user_id"], "query": q["query"],
                                           "filter": {"and": [{"conversation_id": q["conversation_id"]}]}}
                   ).raise_for_status()
            latencies.append((time.perf_counter() - t0) * 1000)
    return {"searches": len(latencies), "p50_ms": round(median(latencies), 2),
            "p95_ms": round(percentile(latencies, 95), 2), "load_avg": load()}


def queries_for(requests: list[dict], n: int = 100) -> list[dict]:
    """Search queries drawn from what was said: a user's own sentence, searched in their memory."""
    step = max(1, len(requests) // n)
    out = []
    for r in requests[::step][:n]:
        text = max((m["content"] for m in r["messages"]), key=len)
        out.append({"user_id": r["user_id"], "conversation_id": r["conversation_id"], "query": text[:200]})
    return out


__all__ = ["throughput", "embedder_alone", "time_to_searchable", "search_latency", "queries_for", "texts"]
