"""The API's Redis connection (asyncio). Any Redis failure while accepting or reading becomes
50144/503: the client may retry, nothing half-written was kept."""
from __future__ import annotations

from contextlib import asynccontextmanager
from functools import lru_cache

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from memq.errors import ErrorCode, MemqError
from memq.settings import get_settings

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


@lru_cache(maxsize=1)
def client() -> aioredis.Redis:
    return aioredis.Redis.from_url(get_settings().redis_url, socket_timeout=5, socket_connect_timeout=2,
                                   max_connections=256)


@asynccontextmanager
async def redis_errors(what: str = "the queue is unreachable"):
    try:
        yield
    except REDIS_DOWN as exc:
        raise MemqError(ErrorCode.NOT_ACCEPTED, f"{what}; nothing was written, retry later ({type(exc).__name__})") \
            from exc
