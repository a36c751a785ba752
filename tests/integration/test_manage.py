"""get/memory, GET /get/memory/{id}, update/memory, delete/memory and the filter language through
the HTTP API, against the real stack (embedded Qdrant Edge)."""
from tests.integration.manage_helpers import BATCHES, add_batches, check_filters_exact, listed, user_traces
from tests.stack import unique


def test_filters_select_exactly_through_the_api(stack):
    user_id = unique()
    check_filters_exact(stack, user_id, add_batches(stack, user_id))


def test_malformed_filter_is_40000_naming_the_part(stack):
    for path, body in (("/search/memory", {"query": "x"}), ("/get/memory", {})):
        response = stack.post(path, {"user_id": unique(), **body,
                                     "filter": {"and": [{"create_time": {"gte": "not a date"}}]}})
        assert response.status_code == 400 and response.json()["code"] == 40000
        assert response.json()["message"].startswith("filter.and[0].create_time.gte:"), response.json()


def test_get_memory_pages_without_overlap(stack):
    user_id = unique()
    added = set().union(*add_batches(stack, user_id))
    seen, page = [], 1
    while True:
        data = stack.post("/get/memory", {"user_id": user_id, "page": page, "size": 2,
                                          "include_tool_memory": True}).json()["data"]
        items = data["memory_detail_list"] + data["preference_detail_list"] + data["tool_memory_detail_list"]
        assert data["total"] == len(added) and data["size"] == 2 and data["current"] == page
        assert data["pages"] == -(-len(added) // 2)
        if not items:
            break
        seen += [m["id"] for m in items]
        page += 1
    assert sorted(seen) == sorted(added) and len(seen) == len(set(seen))


def test_get_update_history_and_archive(stack):
    user_id = unique()
    ids = add_batches(stack, user_id)
    target = sorted(ids[2])[0]
    one = stack.client().get(f"/get/memory/{target}").json()
    assert one["code"] == 0 and one["data"]["id"] == target and one["data"]["history"] == []
    old_text = one["data"].get("memory_value") or one["data"].get("preference")

    updated = stack.post("/update/memory", {"memory_id": target, "content": "Anna moved to Munich in 2024."})
    assert updated.json() == {"code": 0, "message": "ok", "data": {"success": True}}
    after = stack.client().get(f"/get/memory/{target}").json()["data"]
    assert [h["memory_value"] for h in after["history"]] == [old_text]
    assert after["update_time"] >= one["data"]["update_time"]
    found = stack.search(user_id, "Where does Anna live? Munich")
    assert target in {m["id"] for m in found["memory_detail_list"] + found["preference_detail_list"]}

    # Archived: gone from search and get/memory, back when a filter asks for the status.
    stack.post("/update/memory", {"memory_id": target, "status": "archived"})
    found = stack.search(user_id, "Where does Anna live? Munich")
    assert target not in {m["id"] for m in found["memory_detail_list"] + found["preference_detail_list"]}
    assert target not in {m["id"] for m in listed(stack, user_id)}
    archived = stack.search(user_id, "Where does Anna live? Munich", filter={"status": "archived"})
    assert [m["id"] for m in archived["memory_detail_list"] + archived["preference_detail_list"]] == [target]
    assert {m["id"] for m in listed(stack, user_id, {"status": "archived"})} == {target}


def test_missing_memory_is_40307(stack):
    for memory_id in ("2b1c4e52-0000-4000-8000-000000000000", "not-a-uuid"):
        got = stack.client().get(f"/get/memory/{memory_id}")
        assert got.status_code == 404 and got.json()["code"] == 40307
        upd = stack.post("/update/memory", {"memory_id": memory_id, "content": "x"})
        assert upd.status_code == 404 and upd.json()["code"] == 40307
        gone = stack.post("/delete/memory", {"memory_ids": [memory_id]})
        assert gone.status_code == 404 and gone.json()["code"] == 40307


def test_delete_bad_selectors(stack):
    assert stack.post("/delete/memory", {}).json()["code"] == 40002
    assert stack.post("/delete/memory", {"filter": {}}).json()["code"] == 40002
    both = stack.post("/delete/memory", {"agent_id": "a", "filter": {"scene": "x"}})
    assert both.status_code == 400 and both.json()["code"] == 40000


def test_delete_by_ids_agent_and_filter(stack):
    user_id, bystander = unique(), unique()
    ids = add_batches(stack, user_id)
    other = add_batches(stack, bystander)
    everything = set().union(*ids)

    one = sorted(ids[0])[0]
    res = stack.post("/delete/memory", {"memory_ids": [one]}).json()
    assert res == {"code": 0, "message": "ok", "data": {"success": True, "deleted": 1}}
    assert stack.client().get(f"/get/memory/{one}").json()["code"] == 40307

    # By agent, narrowed to one user: the bystander's memories of the same agent stay.
    res = stack.post("/delete/memory", {"agent_id": "fitness-agent", "user_id": user_id}).json()
    assert res["data"]["deleted"] == len(ids[1])
    res = stack.post("/delete/memory", {"filter": {"scene": "flight"}, "user_id": user_id}).json()
    assert res["data"]["deleted"] == len(ids[0] | ids[2]) - 1
    assert listed(stack, user_id) == [] and everything
    assert {m["id"] for m in listed(stack, bystander)} == set().union(*other)


def test_deleted_user_leaves_nothing(stack):
    user_id, bystander = unique(), unique()
    tasks = []
    for batch in BATCHES:
        tasks.append(stack.add(user_id, wait=False, **batch)["task_id"])
    for task_id in tasks:
        assert stack.wait_task(task_id)["status"] == "completed"
    add_batches(stack, bystander)
    project = "default"
    assert user_traces(stack.redis, project, user_id, tasks)  # the scan sees what there is

    res = stack.post("/delete/memory", {"user_id": user_id}).json()
    assert res["code"] == 0 and res["data"]["deleted"] >= 3

    assert user_traces(stack.redis, project, user_id, tasks) == []
    assert listed(stack, user_id, {"or": [{"status": "activated"}, {"status": "archived"}]}) == []
    # Raw messages are memories too (RawMessageMemory): none is left to find.
    found = stack.search(user_id, "flight Paris Louvre gym weights Anna Berlin nurse", include_tool_memory=True)
    assert found["memory_detail_list"] == found["preference_detail_list"] == found["tool_memory_detail_list"] == []
    history = stack.post("/get/message", {"user_id": user_id, "conversation_id": "c-trip"}).json()["data"]
    assert history["message_detail_list"] == []
    assert stack.post("/get/status", {"task_id": tasks[0]}).json()["code"] == 50131
    assert listed(stack, bystander)  # another user's memories are untouched
