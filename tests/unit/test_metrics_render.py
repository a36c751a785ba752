"""The metrics' arithmetic and rendering, the queue-message parsing behind the oldest-task age,
the operator guard, and the JSON log format. Redis is replaced by a tiny in-repo pipeline that
applies HINCRBY/LPUSH/... to dicts the way Redis does."""
import asyncio
import json
import math

import pytest
import structlog
from celery import Celery
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from starlette.requests import Request

from api import metrics as api_metrics
from api.operator import require_operator
from memq.errors import ErrorCode, MemqError
from memq.logs import configure_logging
from memq.settings import get_settings
from pipeline import keys
from pipeline import metrics as pm


class DictPipeline:
    """The subset of a Redis pipeline that pipeline.metrics queues, applied to plain dicts."""

    def __init__(self):
        self.hashes: dict[str, dict[str, float]] = {}
        self.lists: dict[str, list[str]] = {}

    def hincrby(self, key, field, amount):
        h = self.hashes.setdefault(key, {})
        h[field] = h.get(field, 0) + amount

    hincrbyfloat = hincrby

    def expire(self, key, seconds):
        pass

    def lpush(self, key, value):
        self.lists.setdefault(key, []).insert(0, value)

    def ltrim(self, key, start, end):
        self.lists[key] = self.lists[key][start:end + 1]

    def raw(self, key):  # what HGETALL answers: bytes
        return {k.encode(): str(v).encode() for k, v in self.hashes.get(key, {}).items()}


def render(pipe: DictPipeline) -> dict:
    snapshot = api_metrics.Snapshot(pm.counter_values(pipe.raw(keys.METRICS_COUNTERS)),
                                    pm.histogram_values(pipe.raw(keys.METRICS_HISTOGRAMS)),
                                    {"ingest": {"depth": 3, "oldest_age_seconds": 1.5}}, {"ingest": 2})
    registry = CollectorRegistry(auto_describe=False)
    registry.register(snapshot)
    out = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_recorded_events_render_as_prometheus_series():
    pipe = DictPipeline()
    now = 1_800_000_000.0
    pm.accepted(pipe, 4, now)
    pm.accepted(pipe, 2, now)
    for seconds in (0.004, 0.1, 0.3, 200.0):
        pm.stage_ran(pipe, "embed", "done", seconds, now)
    pm.stage_ran(pipe, "embed", "retried", None, now)
    pm.memories(pipe, {"added": 3, "archived": 1})
    pm.rejected(pipe, 40309, "abc", now)
    out = render(pipe)
    assert out[("memq_batches_accepted_total", ())] == 2
    assert out[("memq_messages_accepted_total", ())] == 6
    assert out[("memq_tasks_total", (("stage", "embed"), ("status", "done")))] == 4
    assert out[("memq_tasks_total", (("stage", "embed"), ("status", "retried")))] == 1
    assert out[("memq_tasks_total", (("stage", "write"), ("status", "failed")))] == 0  # known series at zero
    assert out[("memq_memories_total", (("op", "archived"),))] == 1
    assert out[("memq_memories_total", (("op", "deleted"),))] == 0
    assert out[("memq_quota_rejections_total", (("code", "40309"),))] == 1
    bucket = lambda le: out[("memq_stage_duration_seconds_bucket", (("le", le), ("stage", "embed")))]
    # Cumulative, with le as an upper bound included: 0.1 lands in the 0.1 bucket, 200 s only in +Inf.
    assert (bucket("0.005"), bucket("0.1"), bucket("0.25"), bucket("0.5"), bucket("120.0"), bucket("+Inf")) \
        == (1, 2, 2, 3, 3, 4)
    assert out[("memq_stage_duration_seconds_count", (("stage", "embed"),))] == 4
    assert math.isclose(out[("memq_stage_duration_seconds_sum", (("stage", "embed"),))], 200.404)
    assert out[("memq_search_duration_seconds_count", ())] == 0
    assert out[("memq_queue_depth", (("queue", "ingest"),))] == 3
    assert out[("memq_workers_alive", (("role", "ingest"),))] == 2
    minute = pipe.hashes[keys.metrics_minute(int(now // 60))]
    assert minute["batches"] == 2 and minute["messages"] == 6 and minute["rejected|abc|40309"] == 1


def test_percentiles_are_nearest_rank_over_the_recent_window():
    pipe = DictPipeline()
    for i in range(1, 101):
        pm.sample(pipe, "searchable", i / 100, now=1000.0 + i)
    raw = pipe.lists[keys.metrics_samples("searchable")]
    assert pm.percentiles(pm.recent(raw, since=0)) == {"n": 100, "p50": 0.5, "p95": 0.95, "p99": 0.99}
    assert pm.recent(raw, since=1091.0) == [1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.91]
    assert pm.percentiles([]) == {"n": 0, "p50": None, "p95": None, "p99": None}


def test_samples_are_capped():
    pipe = DictPipeline()
    for i in range(pm.SAMPLES_KEPT + 10):
        pm.sample(pipe, "stage.write", 0.1, now=float(i))
    assert len(pipe.lists[keys.metrics_samples("stage.write")]) == pm.SAMPLES_KEPT


def real_message(name: str, args: list, headers: dict) -> bytes:
    """A message exactly as kombu's virtual transports (Redis included) store it."""
    app = Celery("unit", broker="memory://")
    with app.connection_for_write() as conn:
        app.send_task(name, args=args, queue="unit-q", connection=conn, headers=headers)
        return json.dumps(conn.default_channel._get("unit-q")).encode()


def test_oldest_age_comes_from_sent_at_or_the_previous_stage_end():
    name, headers, args = api_metrics.parse_message(real_message("query.search", ["reply", "p", {}],
                                                                 {"sent_at": 1000.5, "request_id": "r"}))
    assert (name, args[0]) == ("query.search", "reply")
    assert api_metrics.waiting_since(name, headers, {}) == 1000.5
    name, headers, args = api_metrics.parse_message(real_message("store.resolve", ["t1"], {"request_id": "r"}))
    record = {"created_at": "900000", "stages": json.dumps({"extract": {"end": 950000}, "embed": {"end": 990000}})}
    assert (name, args) == ("store.resolve", ["t1"])
    assert api_metrics.waiting_since(name, headers, record) == 990.0  # queued when embed ended
    assert api_metrics.waiting_since("ingest.extract", {}, record) == 900.0  # queued at acceptance


def request_from(host: str, authorization: str | None = None) -> Request:
    headers = [(b"authorization", authorization.encode())] if authorization else []
    return Request({"type": "http", "method": "GET", "path": "/metrics", "headers": headers,
                    "client": (host, 50000), "query_string": b""})


def guard(host: str, authorization: str | None = None) -> ErrorCode | None:
    try:
        asyncio.run(require_operator(request_from(host, authorization)))
    except MemqError as exc:
        return exc.code
    return None


def test_operator_endpoints_without_a_token_answer_loopback_only(monkeypatch):
    monkeypatch.setattr(get_settings(), "operator_token", None)
    assert guard("127.0.0.1") is None and guard("::1") is None
    assert guard("10.1.2.3") == ErrorCode.NO_API_KEY
    assert guard("10.1.2.3", "Token mq_a_project_key") == ErrorCode.NO_API_KEY  # a project key opens nothing


def test_operator_token_is_required_from_everyone_once_set(monkeypatch):
    monkeypatch.setattr(get_settings(), "operator_token", "op-secret")
    assert guard("10.1.2.3", "Bearer op-secret") is None
    assert guard("127.0.0.1") == ErrorCode.NO_API_KEY  # loopback is no longer enough
    assert guard("10.1.2.3", "Bearer mq_a_project_key") == ErrorCode.BAD_API_KEY


def test_json_logs_carry_the_bound_ids(capsys):
    configure_logging("json", "INFO")
    try:
        structlog.contextvars.bind_contextvars(request_id="r1", task_id="t1", user_id="u1", stage="embed")
        structlog.get_logger("unit").info("stage.done", duration_ms=1.5, vectors=3)
        structlog.get_logger("unit").debug("hidden")
    finally:
        structlog.contextvars.clear_contextvars()
        with capsys.disabled():  # back to the real stderr: the captured one closes with this test
            configure_logging("console", "INFO")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert len(lines) == 1
    assert {k: lines[0][k] for k in ("event", "request_id", "task_id", "user_id", "stage", "level", "vectors")} == \
        {"event": "stage.done", "request_id": "r1", "task_id": "t1", "user_id": "u1", "stage": "embed",
         "level": "info", "vectors": 3}


@pytest.mark.parametrize("raw", [b"not json", b'{"body": "!!", "properties": {"body_encoding": "base64"}}'])
def test_an_unreadable_message_gives_no_age_rather_than_a_failed_scrape(raw):
    assert asyncio.run(api_metrics._oldest_age(raw, 1000.0)) == 0.0
