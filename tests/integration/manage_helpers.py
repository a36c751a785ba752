"""Shared by the manage and server-mode tests: crafted batches for one user, the exact-filter
checks through the HTTP API, and the scan that proves a deleted user left nothing in Redis."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pipeline.models import user_scope

BATCHES = [
    dict(conversation_id="c-trip", agent_id="travel-agent", app_id="app-a", info={"scene": "flight"},
         tags=["travel"], messages=[{"role": "user", "content": "I booked a flight to Paris for the Louvre trip.",
                                     "chat_time": "2025-09-01 10:00:00"}]),
    dict(conversation_id="c-gym", agent_id="fitness-agent", app_id="app-b", info={"scene": "gym", "level": 2},
         tags=["fitness planning"], messages=[{"role": "user", "content": "I lift weights at the gym every Tuesday.",
                                              "chat_time": "2025-09-02 10:00:00"}]),
    dict(conversation_id="c-family", app_id="app-a", info={"scene": "flight", "level": 3},
         messages=[{"role": "user", "content": "My sister Anna lives in Berlin and works as a nurse.",
                    "chat_time": "2025-09-03 10:00:00"}]),
]


def add_batches(stack, user_id: str) -> list[set[str]]:
    """Add the crafted batches one by one; the ids each one added (facts, preferences, tools)."""
    added = []
    for batch in BATCHES:
        done = stack.add(user_id, **batch)
        ids = set(done["memory_views"]["memory_ids"]["added"])
        assert ids, done
        added.append(ids)
    return added


def listed(stack, user_id: str, flt=None, **extra) -> list[dict]:
    body = {"user_id": user_id, "size": 50, "include_tool_memory": True, "filter": flt, **extra}
    response = stack.post("/get/memory", body)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return data["memory_detail_list"] + data["preference_detail_list"] + data["tool_memory_detail_list"]


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone(timedelta(hours=8))).isoformat(timespec="milliseconds")


def check_filters_exact(stack, user_id: str, added: list[set[str]]) -> None:
    """Each operator through the API selects exactly what the predicate selects on the full list."""
    everything = listed(stack, user_id)
    assert {m["id"] for m in everything} == set().union(*added)
    pivot = min(m["create_time"] for m in everything if m["id"] in added[1])
    cases = [
        ({"agent_id": "travel-agent"}, lambda m: m["agent_id"] == "travel-agent"),
        ({"app_id": "app-a"}, lambda m: m["app_id"] == "app-a"),
        ({"conversation_id": "c-gym"}, lambda m: m["conversation_id"] == "c-gym"),
        ({"scene": "flight"}, lambda m: m["info"].get("scene") == "flight"),
        ({"level": 3}, lambda m: m["info"].get("level") == 3),
        ({"tags": {"contains": "travel"}}, lambda m: "travel" in m["tags"]),
        ({"create_time": {"gte": iso(pivot)}}, lambda m: m["create_time"] >= pivot),
        ({"create_time": {"gt": iso(pivot)}}, lambda m: m["create_time"] > pivot),
        ({"create_time": {"lt": iso(pivot)}}, lambda m: m["create_time"] < pivot),
        ({"update_time": {"lte": iso(pivot)}}, lambda m: m["update_time"] <= pivot),
        ({"create_time": {"lt": "2000-01-01"}}, lambda m: False),
        ({"and": [{"scene": "flight"}, {"app_id": "app-a"}]},
         lambda m: m["info"].get("scene") == "flight" and m["app_id"] == "app-a"),
        ({"or": [{"agent_id": "fitness-agent"}, {"level": 3}]},
         lambda m: m["agent_id"] == "fitness-agent" or m["info"].get("level") == 3),
    ]
    for flt, keep in cases:
        expected = {m["id"] for m in everything if keep(m)}
        assert {m["id"] for m in listed(stack, user_id, flt)} == expected, flt
    # Known answers, so the predicates above are not vacuous.
    assert {m["id"] for m in listed(stack, user_id, {"agent_id": "travel-agent"})} == added[0]
    assert {m["id"] for m in listed(stack, user_id, {"scene": "flight"})} == added[0] | added[2]
    assert {m["id"] for m in listed(stack, user_id, {"create_time": {"gte": iso(pivot)}})} == added[1] | added[2]
    # create_time is when it was said (the batch's chat_time), not when memq stored it: a day of
    # imported history is found by its date
    assert {m["id"] for m in listed(stack, user_id, {"create_time": {"gte": "2025-09-02", "lte": "2025-09-02"}})} \
        == added[1]
    # search applies the filter inside the store too: nothing outside it, even on a matching query.
    found = stack.search(user_id, "flight to Paris Louvre", filter={"agent_id": "fitness-agent"})
    items = found["memory_detail_list"] + found["preference_detail_list"]
    assert items and all(m["agent_id"] == "fitness-agent" for m in items), items


def user_traces(redis, project: str, user_id: str, task_ids: list[str]) -> list[str]:
    """Every Redis key that belongs to the user: by scope, by one of its tasks, or naming a task."""
    scope = user_scope(project, user_id)
    found = []
    for key in redis.scan_iter(count=1000):
        text = key.decode()
        if scope in text or any(t in text for t in task_ids):
            found.append(text)
        elif text.startswith("memq:idem:") and (redis.get(key) or b"").decode() in task_ids:
            found.append(text)
    return found
