"""`make bench`'s parts, run small on the session's stack so the benchmark cannot rot: the
end-to-end timing, the embedder reference, the time-to-searchable probes, the RSS sampler, the
report table and (where wrk is installed) the intake reference. The figures mean nothing here."""
import shutil

import pytest

from bench import common, e2e, intake, report
from tests.stack import unique

pytestmark = pytest.mark.integration


def tiny_stream(n: int = 3) -> list[dict]:
    user = unique("bench")
    return [{"user_id": user, "conversation_id": f"c{i}", "messages": [
        {"role": "user", "content": f"I adopted a cat named Pixel{i} last spring.",
         "chat_time": "2024-05-01 10:00:00"},
        {"role": "assistant", "content": "What a lovely name!"}]} for i in range(n)]


def test_bench_parts_measure_the_real_stack(stack):
    requests = tiny_stream()
    with common.RssSampler(common.stack_processes(stack)) as rss:
        through = e2e.throughput(stack, requests, timeout=120)
        searchable = e2e.time_to_searchable(stack, requests, messages_per_s=4, seconds=2, probes_per_s=1)
        searched = e2e.search_latency(stack, e2e.queries_for(requests, 2))
    assert through["messages"] == 6 and through["failed"] == 0 and through["unfinished"] == 0
    assert through["messages_per_s"] > 0 and through["texts_embedded"] >= 3  # at least a raw memory each
    assert searchable["probes"] >= 1 and searchable["not_found_in_30s"] == 0 and searchable["p95_s"] > 0
    assert searched["searches"] == 2 and searched["p95_ms"] > 0
    assert rss.peak_mb["api"] > 0 and rss.peak_mb["store-worker"] > 100  # the store worker holds the model

    reference = e2e.embedder_alone(["a sentence to embed"] * 8, processes=1, batch_size=64)
    assert reference["texts"] == 8 and reference["texts_per_s"] > 0

    results = {"machine": {"cores": 2, "memory_gb": 1}, "settings": {"ingest_concurrency": 1},
               "end_to_end": {"tiny": {"memq": through, "reference": reference,
                                       "ratio": through["messages_per_s"] / reference["texts_per_s"]},
                              "locomo": {"skipped": "no data"}},
               "time_to_searchable": searchable, "rss_mb": rss.peak_mb,
               "search": [{"size": 100_000, "skipped": "not loaded"}]}
    table = report.table(results)
    assert "end to end, tiny (6 messages, " in table and "skipped: no data" in table
    assert "peak RSS store-worker" in table and "time to searchable" in table


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk (Debian package) is what make bench loads with")
def test_intake_reference_runs_under_wrk(stack):
    with intake.reference_app(stack.runtime["redis_url"]) as url:
        measured = intake.wrk(url, "unused", 1)
    assert measured["requests"] > 0 and measured["non2xx"] == 0 and measured["p99_ms"] >= measured["p50_ms"]
    assert stack.redis.llen("bench:ref") >= measured["requests"]
    stack.redis.delete("bench:ref")
