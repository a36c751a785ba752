"""Per-key token quota: a fixed window counted atomically in Redis by one Lua script, so every
API process shares the count. A rejected request is not charged."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from api.redis_conn import client
from memq.settings import get_settings
from pipeline import keys

# KEYS[1] the window's count, ARGV: cost, limit, the key's lifetime in ms. Also the first step of
# the accept script (api/intake.py), which charges in the same atomic call as it writes the batch.
CHARGE_LUA = """
local used = tonumber(redis.call('get', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if cost > 0 and used + cost > tonumber(ARGV[2]) then return {0, used} end
if cost > 0 then
  used = redis.call('incrby', KEYS[1], cost)
  redis.call('pexpire', KEYS[1], ARGV[3])
end
return {1, used}
"""


@dataclass
class QuotaState:
    allowed: bool
    used: int
    limit: int
    reset_at: float  # epoch seconds when the window ends

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - time.time()))

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": str(int(self.reset_at))}


class Window:
    """The current window of a key: the Redis key counting it, when it ends, the key's budget."""

    def __init__(self, key_hash: str, limit: int | None = None):
        settings = get_settings()
        self.seconds = settings.quota_window_seconds
        start = int(time.time() // self.seconds * self.seconds)
        self.key = keys.quota(key_hash, start)
        self.reset_at = start + self.seconds
        self.limit = settings.quota_tokens if limit is None else limit  # the key's own budget, else the global one
        self.key_lifetime_ms = (self.seconds + 5) * 1000

    def state(self, allowed: bool, used: int) -> QuotaState:
        return QuotaState(allowed, used, self.limit, self.reset_at)


async def charge(key_hash: str, cost: int, limit: int | None = None) -> QuotaState:
    """Charge `cost` tokens to the key's current window (cost 0 only reads it). `limit` is the
    key's own budget when it has one, else MEMQ_QUOTA_TOKENS."""
    window = Window(key_hash, limit)
    allowed, used = await client().eval(CHARGE_LUA, 1, window.key, cost, window.limit, window.key_lifetime_ms)
    return window.state(bool(allowed), int(used))
