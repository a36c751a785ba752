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


async def charge(key_hash: str, cost: int, limit: int | None = None) -> QuotaState:
    """Charge `cost` tokens to the key's current window (cost 0 only reads it). `limit` is the
    key's own budget when it has one, else MEMQ_QUOTA_TOKENS."""
    settings = get_settings()
    limit = settings.quota_tokens if limit is None else limit
    window = settings.quota_window_seconds
    start = int(time.time() // window * window)
    allowed, used = await client().eval(_CHARGE, 1, keys.quota(key_hash, start), cost, limit, (window + 5) * 1000)
    return QuotaState(bool(allowed), int(used), limit, start + window)


async def refund(key_hash: str, state: QuotaState, cost: int) -> None:
    """Give back a charge whose request was not accepted after all."""
    window = get_settings().quota_window_seconds
    await client().decrby(keys.quota(key_hash, int(state.reset_at - window)), cost)
