"""Throttling: with the key's quota lowered to 3,000 tokens per 2 s, two imports share the key
(as an import shares it with live traffic), ask for about twice what the quota allows, get
40309 answers, wait them out, and still finish with zero failures and every message stored."""
import asyncio
import json

import pytest

from memq.importer import ImportOptions, run_import
from tests.stack import new_stack, unique

pytestmark = pytest.mark.integration

QUOTA = {"MEMQ_QUOTA_TOKENS": "3000", "MEMQ_QUOTA_WINDOW_SECONDS": "2"}
SENTENCE = ("On {day} I walked along the river to the old harbour, bought fresh bread at the corner bakery, "
            "and called my aunt Marta about the garden party she is planning for the end of the summer. ")


@pytest.fixture(scope="module")
def throttled_stack(tmp_path_factory):
    running = new_stack(tmp_path_factory.mktemp("throttled")).start(extra_env=QUOTA)
    yield running
    running.stop()


def history(path, users):
    lines = []
    for user in users:
        for c in range(2):
            messages = [{"role": "user" if i % 2 == 0 else "assistant",
                         "content": (SENTENCE * 3).format(day=f"day {c}-{i}"),
                         "chat_time": f"2024-03-{10 + c} 09:{i:02d}:00"} for i in range(6)]
            lines.append(json.dumps({"user_id": user, "conversation_id": f"c{c}", "messages": messages}))
    path.write_text("\n".join(lines) + "\n")


def test_import_throttled_by_the_quota_still_finishes(throttled_stack, tmp_path):
    stack = throttled_stack
    quota = stack.client().get("/quota").json()["data"]
    assert (quota["limit"], quota["window_seconds"]) == (3000, 2)
    users = [[unique("thr-a"), unique("thr-b")], [unique("thr-c"), unique("thr-d")]]
    files = [tmp_path / "one.jsonl", tmp_path / "two.jsonl"]
    for path, group in zip(files, users):
        history(path, group)  # each file: 4 conversations of 6 messages, ~3,900 tokens

    async def both():
        return await asyncio.gather(*(run_import(ImportOptions(
            path=path, base_url=stack.base_url, api_key=stack.api_key, batch_size=2, wait=True, wait_timeout=240,
            show_progress=False, rejected=tmp_path / f"{path.stem}.rejected")) for path in files))

    results = [importer.stats for importer in asyncio.run(both())]
    for stats in results:
        assert (stats.rejected, stats.failed, stats.tasks_failed, stats.tasks_pending) == (0, 0, 0, 0), stats
        assert stats.sent == stats.requests == 12 and stats.tasks_completed == 12
    assert sum(s.throttled for s in results) > 0  # 40309 was answered, and answered by waiting
    for group in users:
        for user in group:
            for c in ("c0", "c1"):
                stored = stack.post("/get/message", {"user_id": user, "conversation_id": c,
                                                     "message_limit_number": 50}).json()["data"]["message_detail_list"]
                assert [m["message_index"] for m in stored] == list(range(6))
