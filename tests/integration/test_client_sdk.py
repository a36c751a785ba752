"""The SDK against the real stack: every endpoint of API.md with typed answers, in the sync and
the async client, and typed exceptions for the server's refusals."""
import asyncio

import pytest

from memq import client as sdk
from tests.stack import unique

pytestmark = pytest.mark.integration

MESSAGES = [{"role": "user", "content": "I booked a summer trip to Guangzhou and chose 7 Days Inn.",
             "chat_time": "2025-06-10 09:00:00"},
            {"role": "assistant", "content": "Got it, 7 Days Inn in Guangzhou for the summer trip."}]


def test_sync_client_covers_every_endpoint(stack):
    user = unique("sdk")
    with sdk.MemOSClient(api_key=stack.api_key, base_url=stack.base_url) as client:
        quota = client.get_quota().data
        assert isinstance(quota, sdk.QuotaData) and quota.limit > 0 and quota.max_messages == 500
        added = client.add_message(MESSAGES, user_id=user, conversation_id="trip", tags=["travel"],
                                   idempotency_key=f"{user}-1")
        assert isinstance(added.data, sdk.AddData) and added.headers["x-ratelimit-limit"] == str(quota.limit)
        done = client.wait_for_task(added.data.task_id, timeout=120)
        assert done.status == "completed" and done.memory_views.added >= 1
        replay = client.add_message(MESSAGES, user_id=user, conversation_id="trip", idempotency_key=f"{user}-1")
        assert replay.data.task_id == added.data.task_id and replay.headers.get("idempotent-replayed") == "true"

        page = client.get_memory(user_id=user, size=50).data
        facts = [m for m in page.memory_detail_list if m.memory_type == "LongTermMemory"]
        assert page.total >= 1 and facts and all(isinstance(m, sdk.FactMemory) for m in facts)
        hit = client.search_memory("Which hotel did I choose?", user_id=user).data.memory_detail_list
        assert any("7 Days Inn" in m.memory_value for m in hit)

        target = facts[0]
        one = client.get_memory_by_id(target.id).data
        assert isinstance(one, sdk.FactMemory) and one.id == target.id and one.sources[0].conversation_id == "trip"
        assert client.update_memory(target.id, content="The user chose Ji Hotel in Guangzhou.").data.success
        updated = client.get_memory_by_id(target.id).data
        assert "Ji Hotel" in updated.memory_value and target.memory_value in str(updated.history)
        messages = client.get_message(user_id=user, conversation_id="trip", message_limit_number=10).data
        assert [m.content for m in messages.message_detail_list] == [m["content"] for m in MESSAGES]
        deleted = client.delete_memory(memory_ids=[target.id]).data
        assert deleted.success and deleted.deleted == 1

        with pytest.raises(sdk.MemoryNotFoundError):
            client.update_memory(target.id, content="gone")
        with pytest.raises(sdk.TaskNotFoundError):
            client.get_task_status("no-such-task")
        with pytest.raises(sdk.MessagesTooLargeError) as too_many:
            client.add_message([{"role": "user", "content": "x"}] * 501, user_id=user, conversation_id="big")
        assert too_many.value.status == 413 and "messages" in too_many.value.message
    with pytest.raises(sdk.BadApiKeyError):
        sdk.MemOSClient(api_key="mq_wrong", base_url=stack.base_url).get_quota()


def test_async_client_adds_waits_and_searches(stack):
    user = unique("sdk-async")

    async def scenario():
        async with sdk.AsyncMemOSClient(api_key=stack.api_key, base_url=stack.base_url) as client:
            added = await asyncio.gather(*(client.add_message(
                [{"role": "user", "content": f"My {pet} is called {name}."}], user_id=user, conversation_id=pet)
                for pet, name in (("cat", "Miso"), ("dog", "Pixel"))))
            done = await asyncio.gather(*(client.wait_for_task(a.data.task_id, timeout=120) for a in added))
            found = await client.search_memory("What is my dog called?", user_id=user)
            with pytest.raises(sdk.MissingError):
                await client.search_memory("", user_id=user)
            return done, found

    done, found = asyncio.run(scenario())
    assert [d.status for d in done] == ["completed", "completed"]
    assert any("Pixel" in m.memory_value for m in found.data.memory_detail_list)
