"""`make bench`: every figure beside its reference, measured in the same run on this machine.

    python -m bench.run [--quick] [--only end_to_end] [--out bench/results.json]

--quick is the smoke version (small streams, short bursts) that tests/integration runs so that
the benchmark cannot rot; the figures it gives mean nothing. --only end_to_end measures the two
end-to-end rows (with the workers' profiles) and nothing else: a few minutes, for tuning."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

from bench import common, e2e, intake, pyspy, report, streams
from bench.venv import ROOT, bench_python
from memq.settings import Settings

SIZES = {"full": {"chitchat": 2000, "locomo": 1000, "mem0": 600, "intake_s": 10, "tts_s": 20, "queries": 60,
                  "search": (10_000, 100_000), "search_rounds": 30},
         "quick": {"chitchat": 60, "locomo": 40, "mem0": 20, "intake_s": 2, "tts_s": 4, "queries": 5,
                   "search": (2_000,), "search_rounds": 5}}


def machine() -> dict:
    return {"cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_avg_at_start": common.load()}


def settings_used() -> dict:
    s = Settings(**{k.removeprefix("MEMQ_").lower(): v for k, v in common.STACK_ENV.items()})
    return {"ingest_concurrency": s.ingest_concurrency, "embed_batch_size": s.embed_batch_size,
            "uvicorn_workers": 1, "extractor": "offline", "vector_store": "qdrant-edge (embedded)",
            "quota_tokens": s.quota_tokens}


PROFILES = ROOT / ".cache" / "profiles"


def end_to_end(stack, name: str, requests: list[dict] | None, settings: dict, profiles: dict | None = None) -> dict:
    """`profiles`: then replay the stream under other user ids with py-spy sampling the ingest and
    store workers, summarized into it (apart from the timed run: the sampler takes CPU too)."""
    if requests is None:
        return {"skipped": "no ../shared/data/locomo (the LoCoMo data is not part of the repo)"}
    print(f"bench: end to end, {name}: {streams.message_count(requests)} messages", flush=True)

    def alone() -> dict:
        return e2e.embedder_alone(streams.texts(requests), settings["ingest_concurrency"], settings["embed_batch_size"])

    # The reference runs just before and just after memq: the machine's other load moves both alike.
    before = alone()
    memq = e2e.throughput(stack, requests)
    reference = e2e.bracketing(before, alone())
    if profiles is not None:
        procs = common.stack_processes(stack)
        spies = {role: (pyspy.record(procs[role].pid, 20, PROFILES / f"{role}.txt"), PROFILES / f"{role}.txt")
                 for role in ("ingest-worker", "store-worker")}
        e2e.throughput(stack, [{**r, "user_id": f"profiled-{r['user_id']}"} for r in requests])
        for role, (spy, path) in spies.items():
            spy.wait()
            profiles[role] = pyspy.summarize(path, pyspy.WORKER_MARKS)
    return {"memq": memq, "reference": reference,
            "ratio": round(memq["messages_per_s"] / reference["texts_per_s"], 3),
            "cpu_ratio": round(reference["cpu_ms_per_text"] / memq["cpu_ms_per_message"], 3)}


def search(stack, requests: list[dict], messages_per_s: float, sizes: tuple, rounds: int,
           save) -> list[dict]:
    """bench/search_bench.py's store and loading (N memories in an Edge shard, the searched user
    holding 1,000) and its filtered searches, timed while the stack ingests at `messages_per_s`."""
    try:
        from bench import search_bench as sb
    except ImportError:
        return [{"size": n, "skipped": "bench/search_bench.py is not there"} for n in (10_000, 100_000)]
    import random

    from pipeline.embedder import MiniLMEmbedder
    from pipeline.stores.edge_store import EdgeVectorStore
    from pipeline.stores.graph_store import GraphStore

    embedder, graphs, rng = MiniLMEmbedder(), GraphStore(stack.redis), random.Random(7)
    texts = [sb.sentence(rng) for _ in range(sb.POOL)]
    vectors = embedder.embed(texts)  # once: the pool serves every size, as in search_bench.main
    out = []
    for size in sizes:
        print(f"bench: search at {size} memories", flush=True)
        with tempfile.TemporaryDirectory(prefix="memq-bench-search-") as tmp:
            store = EdgeVectorStore(Path(tmp) / "shard", dim=MiniLMEmbedder.dim)
            sb.load(store, graphs, texts, vectors, size, rng, users=500)
            before = common.load()
            with e2e.Ingesting(stack, requests, messages_per_s) as ingesting:
                measured = sb.measure(store, embedder, graphs, rounds=rounds)
            store.close()
        per_filter = {name: {"wall_p50_ms": round(w[0], 2), "wall_p95_ms": round(w[1], 2),
                             "cpu_p95_ms": round(c[1], 2)} for name, (w, c) in measured.items()}
        filtered = [v for name, v in per_filter.items() if not name.startswith("|")]
        out.append({"size": size, "p50_ms": max(v["wall_p50_ms"] for v in filtered),
                    "p95_ms": max(v["wall_p95_ms"] for v in filtered),  # the worst filter
                    "cpu_p95_ms": max(v["cpu_p95_ms"] for v in filtered), "per_filter": per_filter,
                    "ingesting_messages_per_s": round(ingesting.sent / ingesting.seconds, 1),
                    "load_avg": max(before, common.load())})
        save(out)  # the 100k load alone takes minutes on a busy machine: keep what is measured
    return out


def peer(requests: list[dict], queries: list[dict], memq_rate: float, memq_search_p95: float) -> dict:
    print(f"bench: mem0 peer: {streams.message_count(requests)} messages", flush=True)
    work = Path(tempfile.mkdtemp(prefix="mem0-bench-"))
    (work / "requests.json").write_text(json.dumps(requests))
    (work / "queries.json").write_text(json.dumps(queries))
    before = common.load()
    out = subprocess.run([bench_python(), "-m", "bench.peer_mem0", str(work / "requests.json"),
                          str(work / "queries.json"), str(work)], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        return {"skipped": f"mem0 failed: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}"}
    mem0 = json.loads(out.stdout.strip().splitlines()[-1])
    return {"mem0": mem0, "memq_messages_per_s": memq_rate, "memq_search_p95_ms": memq_search_p95,
            "messages_ratio": round(memq_rate / mem0["messages_per_s"], 2),
            "search_ratio": round(memq_search_p95 / mem0["search_p95_ms"], 2),
            "load_avg": max(before, common.load())}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["end_to_end"])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    results = {"machine": machine(), "settings": settings_used(), "mode": "quick" if args.quick else "full",
               "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    print(f"bench: {results['machine']} {results['settings']}", flush=True)
    chitchat = streams.chitchat(size["chitchat"])
    locomo = streams.locomo(size["locomo"])
    peaks: dict[str, float] = {}
    PROFILES.mkdir(parents=True, exist_ok=True)

    out = Path(args.out)

    samplers: list[common.RssSampler] = []

    def save(part: str | None = None, value=None) -> None:
        if part is not None:
            results[part] = value
        for sampler in samplers:
            for name, mb in sampler.peak_mb.items():
                peaks[name] = max(peaks.get(name, 0.0), mb)
        results["rss_mb"] = {name: round(mb, 1) for name, mb in peaks.items()}
        out.write_text(json.dumps(results, indent=1))  # after every part: a stopped run keeps its figures

    results["profiles"] = {}
    if args.only is None:
        print("bench: intake", flush=True)
        stack = common.start_stack()
        try:
            with common.RssSampler(common.stack_processes(stack)) as rss:
                samplers.append(rss)
                save("intake", intake.run(stack, size["intake_s"], profile=PROFILES / "api.txt"))
                save("profiles", {"api": pyspy.summarize(PROFILES / "api.txt", pyspy.API_MARKS)})
        finally:
            common.stop_stack(stack)

    stack = common.start_stack()  # a fresh stack: the intake burst left a backlog of thousands of batches
    try:
        with common.RssSampler(common.stack_processes(stack)) as rss:
            samplers.append(rss)
            save("end_to_end", {"chitchat": end_to_end(stack, "chitchat", chitchat, results["settings"],
                                                       results["profiles"])})
            results["end_to_end"]["locomo"] = end_to_end(stack, "locomo", locomo, results["settings"])
            save()
            if args.only == "end_to_end":
                return _finish(results, save)
            sustained = results["end_to_end"]["chitchat"]["memq"]["messages_per_s"]
            print("bench: time to searchable", flush=True)
            save("time_to_searchable", e2e.time_to_searchable(stack, chitchat, sustained / 2, size["tts_s"]))
            subset = chitchat[: _requests_for(chitchat, size["mem0"])]
            queries = e2e.queries_for(subset, size["queries"])
            save("search_peer_queries", e2e.search_latency(stack, queries))
            save("peer", peer(subset, queries, sustained, results["search_peer_queries"]["p95_ms"]))
            search(stack, chitchat, sustained / 2, size["search"], size["search_rounds"],
                   lambda rows: save("search", rows))
    finally:
        common.stop_stack(stack)
    return _finish(results, save)


def _finish(results: dict, save) -> dict:
    save("finished", time.strftime("%Y-%m-%d %H:%M:%S"))
    print(report.table(results), flush=True)
    return results


def _requests_for(requests: list[dict], messages: int) -> int:
    total = 0
    for i, r in enumerate(requests):
        total += len(r["messages"])
        if total >= messages:
            return i + 1
    return len(requests)


if __name__ == "__main__":
    main()
