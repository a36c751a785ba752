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


def idempotency(project: str, key: str) -> str:
    return f"{PREFIX}:idem:{project}:{key}"


def api_key(key_hash: str) -> str:
    return f"{PREFIX}:apikey:{key_hash}"


API_KEYS_INDEX = f"{PREFIX}:apikeys"  # hash: key_hash -> json summary
FAILED_TASKS = f"{PREFIX}:failed"  # zset: task_id scored by failure time (the dead-letter list)


def quota(key_hash: str, window_start: int) -> str:
    return f"{PREFIX}:quota:{key_hash}:{window_start}"


def reply(request_id: str) -> str:
    return f"{PREFIX}:reply:{request_id}"


def heartbeat(role: str, worker: str) -> str:
    return f"{PREFIX}:hb:{role}:{worker}"


def heartbeat_pattern(role: str) -> str:
    return f"{PREFIX}:hb:{role}:*"
