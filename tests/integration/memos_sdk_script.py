"""Run by test_memos_sdk.py inside the separate MemOS virtualenv (never the project's): drives the
real `memos.api.client.MemOSClient` against memq and prints what came back as JSON.

The `memos` package's own __init__ imports the whole MemOS engine (memory cubes, schedulers, the
LLM backends and their SQL and ML dependencies), none of which the client uses. So the package is
registered without running that __init__; memos.api.client, its pydantic response models and
everything they import are the real, unmodified modules."""
import importlib.util
import json
import sys
import time
import types

spec = importlib.util.find_spec("memos")
package = types.ModuleType("memos")
package.__path__ = list(spec.submodule_search_locations)
sys.modules["memos"] = package

from memos.api.client import MemOSClient  # noqa: E402
from memos.api.product_models import MemOSGetTaskStatusResponse  # noqa: E402

base_url, api_key, user_id = sys.argv[1:4]
client = MemOSClient(api_key=api_key, base_url=base_url)
messages = [
    {"role": "user", "content": "I have booked a summer trip to Guangzhou. Which hotel chains are available?"},
    {"role": "assistant", "content": "You can consider 7 Days Inn, Ji Hotel, Hilton, and others."},
    {"role": "user", "content": "I choose 7 Days Inn."},
    {"role": "assistant", "content": "Got it. Feel free to ask if you have other questions."},
]
out = {}
added = client.add_message(messages=messages, user_id=user_id, conversation_id="0610", tags=["travel"],
                           info={"scene": "hotel"})
out["add"] = {"success": added.success, "task_id": added.task_id, "status": added.status}
deadline = time.monotonic() + 120
while True:
    status = client.get_task_status(added.task_id)
    assert isinstance(status, MemOSGetTaskStatusResponse)
    if status.data.status in ("completed", "failed") or time.monotonic() > deadline:
        break
    time.sleep(0.2)
out["status"] = {"task_id": status.data.task_id, "status": status.data.status,
                 "memory_views": status.data.memory_views}
sync = client.add_message(messages=[{"role": "user", "content": "I am allergic to peanuts."}], user_id=user_id,
                          conversation_id="0611", async_mode=False)
out["sync"] = {"success": sync.success, "status": sync.status}
found = client.search_memory(query="Which hotel did I choose?", user_id=user_id, conversation_id="0610",
                             filter={"scene": "hotel"})
out["search"] = {"memories": [m.model_dump() for m in found.memories],
                 "preferences": [p.model_dump() for p in found.preferences or []],
                 "preference_note": found.data.preference_note}
page = client.get_memory(user_id=user_id, page=1, size=50)
out["get_memory"] = {"ids": [m.model_dump()["id"] for m in page.memories], "total": page.data.total,
                     "pages": page.data.pages, "preferences": len(page.preferences or [])}
history = client.get_message(user_id=user_id, conversation_id="0610", message_limit_number=10)
out["get_message"] = [m.model_dump() for m in history.messages]
first = out["get_memory"]["ids"][0]
out["delete_one"] = client.delete_memory(memory_ids=[first]).success
out["after_delete_one"] = [m.model_dump()["id"] for m in client.get_memory(user_id=user_id, size=50).memories]
out["delete_user"] = client.delete_memory(user_id=user_id).success
out["after_delete_user"] = client.get_memory(user_id=user_id, size=50).data.total
print(json.dumps(out))
