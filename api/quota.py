"""Per-key token quota: a fixed window counted atomically in Redis by one Lua script, so every
API process shares the count. A rejected request is not charged."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from api.redis_conn import client
from memq.settings import get_settings
from pipeline import keys

_CHARGE = """
local used = tonumber(redis.call('get', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if cost > 0 and used + cost > tonumber(ARGV[2]) then return {0, used} end
if cost > 0 then
  used = redis.call('incrby', KEYS[1], cost)
  redis.call('pexpire', KEYS[1], ARGV[3])
end
return {1, used}
"""
# The charge, then (only if it was allowed) an INCRBY on a second key, in the same atomic call: the
# accept path allocates the conversation's message indices in the round trip that charges the quota.
_CHARGE_THEN_INCR = "local function charge()\n" + _CHARGE + """
end
local reply = charge()
if reply[1] == 1 and #KEYS > 1 then reply[3] = redis.call('incrby', KEYS[2], ARGV[4]) end
return reply
"""


@dataclass
class QuotaState:
    allowed: bool
    used: int
    limit: int
    reset_at: float  # epoch seconds when the window ends
    allocated: int | None = None  # the INCRBY's result when charge() was asked to allocate

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - time.time()))

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": str(int(self.reset_at))}


async def charge(key_hash: str, cost: int, limit: int | None = None,
                 allocate: tuple[str, int] | None = None) -> QuotaState:
    """Charge `cost` tokens to the key's current window (cost 0 only reads it). `limit` is the
    key's own budget when it has one, else MEMQ_QUOTA_TOKENS. `allocate` (key, n): if the charge
    is allowed, INCRBY key n in the same atomic call; the new value is in `allocated`."""
    settings = get_settings()
    limit = settings.quota_tokens if limit is None else limit
    window = settings.quota_window_seconds
    start = int(time.time() // window * window)
    quota_key = keys.quota(key_hash, start)
    if allocate is None:
        reply = await client().eval(_CHARGE, 1, quota_key, cost, limit, (window + 5) * 1000)
    else:
        reply = await client().eval(_CHARGE_THEN_INCR, 2, quota_key, allocate[0], cost, limit, (window + 5) * 1000,
                                    allocate[1])
    return QuotaState(bool(reply[0]), int(reply[1]), limit, start + window,
                      allocated=int(reply[2]) if len(reply) > 2 else None)


async def refund(key_hash: str, state: QuotaState, cost: int) -> None:
    """Give back a charge whose request was not accepted after all."""
    window = get_settings().quota_window_seconds
    await client().decrby(keys.quota(key_hash, int(state.reset_at - window)), cost)
