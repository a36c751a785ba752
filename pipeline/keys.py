"""Every Redis key memq uses, in one place, so that a newcomer (or a delete) can find them all.

Keys that belong to a user embed `scope` (pipeline.models.user_scope) rather than the raw ids."""
from __future__ import annotations

PREFIX = "memq"


def batch(task_id: str) -> str:
    return f"{PREFIX}:batch:{task_id}"


def task(task_id: str) -> str:
    return f"{PREFIX}:task:{task_id}"


def stage_output(task_id: str, stage: str) -> str:
    return f"{PREFIX}:stage:{task_id}:{stage}"


def conversation_length(scope: str, conversation_id: str) -> str:
    return f"{PREFIX}:convlen:{scope}:{conversation_id}"


def conversation_messages(scope: str, conversation_id: str) -> str:
    return f"{PREFIX}:msgs:{scope}:{conversation_id}"


def user_conversations(scope: str) -> str:
    return f"{PREFIX}:convs:{scope}"


def user_tasks(scope: str) -> str:
    return f"{PREFIX}:usertasks:{scope}"


def user_lock(scope: str) -> str:
    return f"{PREFIX}:lock:{scope}"


def user_graph(scope: str) -> str:
    return f"{PREFIX}:graph:{scope}"


def user_graph_log(scope: str) -> str:
    return f"{PREFIX}:graphlog:{scope}"


def user_graph_version(scope: str) -> str:
    return f"{PREFIX}:graphver:{scope}"


def idempotency(project: str, key: str) -> str:
    return f"{PREFIX}:idem:{project}:{key}"


def api_key(key_hash: str) -> str:
    return f"{PREFIX}:apikey:{key_hash}"


API_KEYS_INDEX = f"{PREFIX}:apikeys"  # hash: key_hash -> json summary
FAILED_TASKS = f"{PREFIX}:failed"  # zset: task_id scored by failure time (the dead-letter list)
INFLIGHT = f"{PREFIX}:inflight"  # zset: accepted, not yet completed or failed task ids, scored by accept time


def quota(key_hash: str, window_start: int) -> str:
    return f"{PREFIX}:quota:{key_hash}:{window_start}"


def reply(request_id: str) -> str:
    return f"{PREFIX}:reply:{request_id}"


def heartbeat(identity: str) -> str:
    """identity is "role:host:pid" (workers/identity.py)."""
    return f"{PREFIX}:hb:{identity}"


def heartbeat_pattern(role: str) -> str:
    return f"{PREFIX}:hb:{role}:*"


# --- operational metrics (pipeline/metrics.py writes them, api/metrics.py renders them) ---
METRICS_COUNTERS = f"{PREFIX}:metrics:counters"  # hash: "name|label values" -> count
METRICS_HISTOGRAMS = f"{PREFIX}:metrics:histograms"  # hash: "series#b<i>" -> count in bucket i, "series#sum"
METRICS_REJECTIONS = f"{PREFIX}:metrics:rejections"  # hash: "key_hash|code" -> refusals since the start
METRICS_DEPTH = f"{PREFIX}:metrics:depth"  # zset: queue-depth samples (json) scored by time, last hour


def metrics_minute(minute: int) -> str:
    """hash of the counts of one minute (epoch // 60), for the dashboard's last hour; kept 3 h."""
    return f"{PREFIX}:metrics:minute:{minute}"


def metrics_samples(series: str) -> str:
    """list of recent "time:seconds" durations (a stage's runs, accept-to-searchable), capped."""
    return f"{PREFIX}:metrics:samples:{series}"
