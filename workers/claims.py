"""Which ingest worker process extracts and embeds a batch: a claim on its task record.

One model call for the texts of several batches is about twice as fast per text as one call per
request (MiniLM on one CPU thread: ~9 texts a call against 64). So a process that takes a
batch's message also claims batches that are still waiting in the queue (oldest first, up to a
budget of messages) and embeds them all together. Their own messages come later and are skipped,
since their claim is held by a live process or their ingest is done.

The claim is the task record's `ingest_claim` field: the identity of the claiming process
(`workers.identity`), then `done` once the batch is embedded and forwarded to the store queue.
A claim whose process is gone (its heartbeat expired) can be taken over: the batch's message
redelivered by Celery, or re-published by the sweeper (workers/recovery.py), takes it. Only
batches nobody has started ("queued", never claimed) are taken as extras, so a batch in retry
or in recovery is only ever run by its own message."""
from __future__ import annotations

import redis

from pipeline import keys

FIELD = "ingest_claim"

# KEYS: the in-flight set. ARGV: claimer, heartbeat key prefix, task key prefix, the task of the
# message being run, message budget, how many of the oldest in-flight tasks to look at, how many
# processes share the queue. Returns the claimed task ids, the message's task first; empty if that
# task is not claimable. Extras stop at the budget and at this process's share of what waits, so
# that the last batches of a burst are split between the processes rather than left to one.
_CLAIM = """
local me, hb, prefix, first = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local budget, window, processes = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local function state(id)
  return redis.call('HMGET', prefix .. id, 'status', 'ingest_claim', 'messages')
end
local status, owner, messages = unpack(state(first))
if not status or status == 'completed' or status == 'failed' or owner == 'done' then return {} end
if owner and owner ~= me and redis.call('EXISTS', hb .. owner) == 1 then return {} end
redis.call('HSET', prefix .. first, 'ingest_claim', me)
local claimed, taken = {first}, tonumber(messages) or 1
if taken >= budget then return claimed end
local waiting, total = {}, taken
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, window - 1)) do
  if id ~= first then
    status, owner, messages = unpack(state(id))
    if status == 'queued' and not owner then
      waiting[#waiting + 1] = {id, tonumber(messages) or 1}
      total = total + waiting[#waiting][2]
    end
  end
end
local share = math.min(budget, math.ceil(total / processes))
for _, item in ipairs(waiting) do
  if taken >= share then break end
  redis.call('HSET', prefix .. item[1], 'ingest_claim', me)
  claimed[#claimed + 1] = item[1]
  taken = taken + item[2]
end
return claimed
"""

# Undo a claim still held by ARGV[1] (a retry through Celery must be claimable by any process).
_RELEASE = """
if redis.call('HGET', KEYS[1], 'ingest_claim') == ARGV[1] then return redis.call('HDEL', KEYS[1], 'ingest_claim') end
return 0
"""
# Only on a record that still exists: a batch whose user was deleted meanwhile stays deleted.
_DONE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], 'ingest_claim', 'done') end
return 0
"""

SCAN_WINDOW = 256  # the oldest in-flight tasks looked at: past the ingest stages, most are in the store queue


class IngestClaims:
    def __init__(self, client: redis.Redis, identity: str):
        self.redis, self.identity = client, identity
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)
        self._done = client.register_script(_DONE)

    def claim(self, task_id: str, message_budget: int, processes: int = 1) -> list[str]:
        """Claim `task_id` and, while fewer than `message_budget` messages (and this process's
        share of the waiting ones) are claimed, waiting batches. [] when `task_id` is done,
        finished, or claimed by a live process."""
        ids = self._claim(keys=[keys.INFLIGHT], args=[self.identity, keys.heartbeat(""), keys.task(""), task_id,
                                                      message_budget, SCAN_WINDOW, max(1, processes)])
        return [i.decode() if isinstance(i, bytes) else i for i in ids]

    def release(self, task_id: str) -> bool:
        """False if this process did not hold it (done, or another's)."""
        return bool(self._release(keys=[keys.task(task_id)], args=[self.identity]))

    def done(self, task_id: str) -> None:
        self._done(keys=[keys.task(task_id)])


def reset(pipe, task_id: str) -> None:
    """Make a batch claimable again (`memq tasks retry` from extract or embed)."""
    pipe.hdel(keys.task(task_id), FIELD)
