"""`memq import` against the real stack: a killed import resumes from its checkpoint, and a rerun
writes nothing twice (same task ids through the Idempotency-Key, same memories, same messages)."""
import asyncio
import json

import pytest

from memq.importer import ImportOptions, run_import
from tests.stack import unique

pytestmark = pytest.mark.integration

TOPICS = ["I moved to Porto in March.", "My sister Lena works as a nurse.", "I am training for a half marathon.",
          "We adopted a grey cat called Miso.", "I switched to a standing desk at work.",
          "My favourite dish is grilled octopus.", "I am learning Portuguese on weekends.",
          "Our team ships the billing service on Fridays.", "I visited the Douro valley with friends.",
          "I started a pottery class on Tuesdays."]


def conversation(user_id, conversation_id, n, day):
    messages = []
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        text = TOPICS[(i // 2) % len(TOPICS)] if role == "user" else "Noted, thanks for telling me."
        messages.append({"role": role, "content": f"{text} ({conversation_id} #{i})",
                         "chat_time": f"2024-0{day}-1{day} 10:{i:02d}:00"})
    return {"user_id": user_id, "conversation_id": conversation_id, "messages": messages}


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def options(stack, path, **kw):
    return ImportOptions(path=path, base_url=stack.base_url, api_key=stack.api_key, show_progress=False, **kw)


def messages_of(stack, user_id, conversation_id):
    return stack.post("/get/message", {"user_id": user_id, "conversation_id": conversation_id,
                                       "message_limit_number": 50}).json()["data"]["message_detail_list"]


def memory_total(stack, user_id):
    return stack.post("/get/memory", {"user_id": user_id, "size": 1}).json()["data"]["total"]


def checkpoint_entries(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_killed_import_resumes_and_a_rerun_sends_nothing_twice(stack, tmp_path):
    ann, bob = unique("imp-ann"), unique("imp-bob")
    records = [conversation(ann, "a1", 10, 1), conversation(ann, "a2", 4, 2), conversation(bob, "b1", 8, 3)]
    source = tmp_path / "history.jsonl"
    write_jsonl(source, records)
    checkpoint = tmp_path / "import.ck"
    # batch_size 3: a1 -> 4 requests, a2 -> 2, b1 -> 3.
    first = asyncio.run(run_import(options(stack, source, checkpoint=checkpoint, batch_size=3, concurrency=2,
                                           max_requests=5)))
    assert first.stopped_early and first.stats.sent == 5 and first.stats.requests == 9
    entries = checkpoint_entries(checkpoint)
    assert len(entries) == 5
    # The kill lands after the server accepted the 5th request but before it was checkpointed.
    lost = entries[-1]
    checkpoint.write_text("".join(json.dumps(e) + "\n" for e in entries[:-1]))

    resumed = asyncio.run(run_import(options(stack, source, checkpoint=checkpoint, batch_size=3, wait=True,
                                             wait_timeout=240)))
    s = resumed.stats
    assert (s.skipped, s.replayed, s.sent) == (4, 1, 4), s
    assert (s.tasks_completed, s.tasks_failed, s.tasks_pending, s.rejected, s.failed) == (9, 0, 0, 0, 0)
    task_ids = {e["key"]: e["task_id"] for e in checkpoint_entries(checkpoint)}
    assert len(task_ids) == 9 and len(set(task_ids.values())) == 9
    assert task_ids[lost["key"]] == lost["task_id"]  # the server gave the original task back

    for record in records:  # every message once, in order, with its chat_time
        stored = messages_of(stack, record["user_id"], record["conversation_id"])
        assert [m["content"] for m in stored] == [m["content"] for m in record["messages"]]
        assert [m["message_index"] for m in stored] == list(range(len(record["messages"])))
    totals = {ann: memory_total(stack, ann), bob: memory_total(stack, bob)}
    assert all(totals.values())

    # A rerun from scratch (checkpoint lost): every request is answered with its original task.
    rerun_ck = tmp_path / "rerun.ck"
    again = asyncio.run(run_import(options(stack, source, checkpoint=rerun_ck, batch_size=3, wait=True,
                                           wait_timeout=60)))
    assert (again.stats.sent, again.stats.replayed, again.stats.tasks_completed) == (0, 9, 9)
    assert {e["key"]: e["task_id"] for e in checkpoint_entries(rerun_ck)} == task_ids
    assert {ann: memory_total(stack, ann), bob: memory_total(stack, bob)} == totals
    assert len(messages_of(stack, ann, "a1")) == 10
