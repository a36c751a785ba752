"""The per-user lock that serialises dedupe/conflict resolution and write for one user.

The holder is the task id, so the same task redelivered after a crash re-enters its own lock;
the lease expires by itself if the holder dies, and is renewed by each stage it reaches."""
from __future__ import annotations

import redis

from pipeline import keys

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_ACQUIRE = """
local holder = redis.call('get', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


class UserLock:
    def __init__(self, client: redis.Redis, lease_seconds: int):
        self.redis = client
        self.lease_ms = lease_seconds * 1000
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)

    def acquire(self, scope: str, holder: str) -> bool:
        """Take (or renew) the lock for `holder`. False if someone else holds it."""
        return bool(self._acquire(keys=[keys.user_lock(scope)], args=[holder, self.lease_ms]))

    def release(self, scope: str, holder: str) -> None:
        self._release(keys=[keys.user_lock(scope)], args=[holder])

    def holder(self, scope: str) -> str | None:
        value = self.redis.get(keys.user_lock(scope))
        return value.decode() if isinstance(value, bytes) else value
