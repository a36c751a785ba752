"""Operational metrics, kept in Redis so that every API and worker process adds to the same
numbers and any API process can render them. (prometheus_client's multiprocess mode shares
files between the processes of one host; memq's workers run on any host that reaches Redis.)

The process that observes an event queues HINCRBY/HINCRBYFLOAT commands on a Redis pipeline
(sync in the workers, asyncio in the API: both queue commands the same way, the caller runs
`execute()`); api/metrics.py reads the hashes back and renders them for Prometheus.

Besides the Prometheus series it keeps what the dashboard needs and Prometheus leaves to its
server: per-minute counts (throughput over the last hour) and the recent durations of each
stage and of accept-to-searchable (percentiles). This module imports neither Celery nor
FastAPI, and it never touches message text."""
from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass

from pipeline import keys

STAGES = ("extract", "embed", "resolve", "write")
STAGE_STATUSES = ("done", "retried", "failed")
MEMORY_OPS = ("added", "updated", "archived", "deleted")
TOKEN_DIRECTIONS = ("input", "output")
QUEUES = ("ingest", "store", "query")
MINUTE_TTL_SECONDS = 3 * 3600
SAMPLES_KEPT = 2000  # per series: enough for a p99 over the last hour at a few batches a second
DEPTH_WINDOW_SECONDS = 3600

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


@dataclass(frozen=True)
class Metric:
    name: str
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()  # upper bounds, for a histogram; +Inf is implied

    def series(self, *values: str) -> str:
        """The hash field of one label set: the name, then the label values, joined by '|'."""
        assert len(values) == len(self.labels), (self.name, values)
        return "|".join((self.name, *map(str, values)))


TASKS = Metric("memq_tasks_total", "Stage runs by outcome: done, retried (a transient error, retried "
               "with backoff) or failed (the task failed with its code)", ("stage", "status"))
BATCHES = Metric("memq_batches_accepted_total", "Batches accepted by add/message")
MESSAGES = Metric("memq_messages_accepted_total", "Messages in the accepted batches")
MEMORIES = Metric("memq_memories_total", "Memories added, updated (merged or superseded, as get/status "
                  "counts them), archived (superseded by a newer fact) and deleted", ("op",))
REJECTIONS = Metric("memq_quota_rejections_total", "add/message requests refused by a quota or a size limit, "
                    "by business code", ("code",))
LLM_TOKENS = Metric("memq_llm_tokens_total", "LLM tokens used by extraction", ("direction",))
STAGE_SECONDS = Metric("memq_stage_duration_seconds", "Duration of successful stage runs", ("stage",),
                       buckets=_SECONDS)
SEARCH_SECONDS = Metric("memq_search_duration_seconds", "Time the store worker spends answering a search",
                        buckets=_SECONDS[:-3])
SEARCHABLE_SECONDS = Metric("memq_accept_to_searchable_seconds", "From a batch's acceptance to the end of "
                            "its write, when its memories are searchable",
                            buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0))

COUNTERS = (TASKS, BATCHES, MESSAGES, MEMORIES, REJECTIONS, LLM_TOKENS)
HISTOGRAMS = (STAGE_SECONDS, SEARCH_SECONDS, SEARCHABLE_SECONDS)
# Label sets rendered even at zero, so that a dashboard or an alert sees the series from the start.
KNOWN_LABELS = {TASKS.name: [(s, st) for s in STAGES for st in STAGE_STATUSES],
                MEMORIES.name: [(op,) for op in MEMORY_OPS],
                LLM_TOKENS.name: [(d,) for d in TOKEN_DIRECTIONS],
                STAGE_SECONDS.name: [(s,) for s in STAGES]}


# --- recording: each function queues commands on `pipe`; the caller executes it ---

def inc(pipe, metric: Metric, amount: int = 1, *values: str) -> None:
    if amount:
        pipe.hincrby(keys.METRICS_COUNTERS, metric.series(*values), int(amount))


def observe(pipe, metric: Metric, seconds: float, *values: str) -> None:
    field = metric.series(*values)
    bucket = bisect.bisect_left(metric.buckets, seconds)  # le semantics: 0.1 lands in the 0.1 bucket
    pipe.hincrby(keys.METRICS_HISTOGRAMS, f"{field}#b{bucket}", 1)
    pipe.hincrbyfloat(keys.METRICS_HISTOGRAMS, f"{field}#sum", float(seconds))


def per_minute(pipe, now: float, **amounts: int) -> None:
    key = keys.metrics_minute(int(now // 60))
    for field, amount in amounts.items():
        pipe.hincrby(key, field, int(amount))
    pipe.expire(key, MINUTE_TTL_SECONDS)


def sample(pipe, series: str, seconds: float, now: float) -> None:
    key = keys.metrics_samples(series)
    pipe.lpush(key, f"{now:.3f}:{seconds:.6f}")
    pipe.ltrim(key, 0, SAMPLES_KEPT - 1)


def accepted(pipe, messages: int, now: float) -> None:
    inc(pipe, BATCHES)
    inc(pipe, MESSAGES, messages)
    per_minute(pipe, now, batches=1, messages=messages)


def stage_ran(pipe, stage: str, status: str, seconds: float | None, now: float) -> None:
    """One stage run ended: done (with its duration), retried, or failed (the task failed)."""
    inc(pipe, TASKS, 1, stage, status)
    per_minute(pipe, now, **{f"{stage}.{status}": 1, **({"failed": 1} if status == "failed" else {})})
    if status == "done" and seconds is not None:
        observe(pipe, STAGE_SECONDS, seconds, stage)
        sample(pipe, f"stage.{stage}", seconds, now)


def completed(pipe, created_at_ms: int, now: float) -> None:
    seconds = max(0.0, now - created_at_ms / 1000)
    observe(pipe, SEARCHABLE_SECONDS, seconds)
    sample(pipe, "searchable", seconds, now)
    per_minute(pipe, now, completed=1)


def memories(pipe, counts: dict[str, int]) -> None:
    for op in MEMORY_OPS:
        inc(pipe, MEMORIES, counts.get(op, 0), op)


def llm_tokens(pipe, tokens: dict[str, int]) -> None:
    for direction in TOKEN_DIRECTIONS:
        inc(pipe, LLM_TOKENS, tokens.get(direction, 0), direction)


def rejected(pipe, code: int, key_hash: str, now: float) -> None:
    inc(pipe, REJECTIONS, 1, str(code))
    pipe.hincrby(keys.METRICS_REJECTIONS, f"{key_hash}|{code}", 1)
    per_minute(pipe, now, rejected=1, **{f"rejected|{key_hash}|{code}": 1})


def searched(pipe, seconds: float) -> None:
    observe(pipe, SEARCH_SECONDS, seconds)


def depth_sample(pipe, depths: dict[str, int], now: float) -> None:
    pipe.zadd(keys.METRICS_DEPTH, {json.dumps({"t": round(now, 1), **depths}): now})
    pipe.zremrangebyscore(keys.METRICS_DEPTH, 0, now - DEPTH_WINDOW_SECONDS)


# --- reading: pure functions over what HGETALL / LRANGE returned ---

def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _split(field: str) -> tuple[str, tuple[str, ...]]:
    name, *values = field.split("|")
    return name, tuple(values)


def counter_values(raw: dict) -> dict[str, dict[tuple[str, ...], float]]:
    """{metric name: {label values: count}}, with the known label sets at zero."""
    out: dict[str, dict[tuple[str, ...], float]] = {m.name: {} for m in COUNTERS}
    for name, label_sets in KNOWN_LABELS.items():
        if name in out:
            out[name].update({labels: 0.0 for labels in label_sets})
    if BATCHES.name in out:
        out[BATCHES.name][()] = out[MESSAGES.name][()] = 0.0
    for field, value in raw.items():
        name, values = _split(_text(field))
        if name in out:
            out[name][values] = float(_text(value))
    return out


@dataclass
class HistogramValue:
    buckets: list[tuple[float, float]]  # (upper bound, cumulative count), ending with +Inf
    sum: float

    @property
    def count(self) -> float:
        return self.buckets[-1][1]


def histogram_values(raw: dict) -> dict[str, dict[tuple[str, ...], HistogramValue]]:
    by_series: dict[str, dict[str, float]] = {}
    for field, value in raw.items():
        series, _, part = _text(field).partition("#")
        by_series.setdefault(series, {})[part] = float(_text(value))
    metrics = {m.name: m for m in HISTOGRAMS}
    for metric in HISTOGRAMS:  # known label sets (or the one unlabelled series) render at zero
        for labels in KNOWN_LABELS.get(metric.name, [()] if not metric.labels else []):
            by_series.setdefault(metric.series(*labels), {})
    out: dict[str, dict[tuple[str, ...], HistogramValue]] = {m.name: {} for m in HISTOGRAMS}
    for series, parts in by_series.items():
        name, values = _split(series)
        metric = metrics.get(name)
        if metric is None:
            continue
        bounds = [*metric.buckets, math.inf]
        running, cumulative = 0.0, []
        for i, bound in enumerate(bounds):
            running += parts.get(f"b{i}", 0.0)
            cumulative.append((bound, running))
        out[name][values] = HistogramValue(cumulative, parts.get("sum", 0.0))
    return out


def recent(raw_samples: list, since: float) -> list[float]:
    """The durations (seconds) of the samples taken at or after `since`."""
    out = []
    for item in raw_samples:
        at, _, seconds = _text(item).partition(":")
        if float(at) >= since:
            out.append(float(seconds))
    return out


def percentiles(values: list[float], qs: tuple[float, ...] = (0.5, 0.95, 0.99)) -> dict:
    """Nearest-rank percentiles: each one is a duration that was actually observed."""
    ordered = sorted(values)
    out: dict = {"n": len(ordered)}
    for q in qs:
        out[f"p{round(q * 100)}"] = ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None
    return out


def minutes_back(now: float, count: int = 60) -> list[int]:
    """The last `count` minute numbers (epoch // 60), oldest first, ending with the current one."""
    current = int(now // 60)
    return list(range(current - count + 1, current + 1))


def since_minutes(now: float, count: int = 60) -> float:
    return minutes_back(now, count)[0] * 60.0
