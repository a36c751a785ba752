"""The API's Redis connection (asyncio). Any Redis failure while accepting or reading becomes
50144/503: the client may retry, nothing half-written was kept."""
from __future__ import annotations

from contextlib import asynccontextmanager
from functools import lru_cache

import hiredis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.connection import HiredisRespSerializer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from memq.errors import ErrorCode, MemqError
from memq.settings import get_settings

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class _HiredisPacking:
    """redis-py's sync connections pack commands with hiredis (C); its asyncio connections use a
    pure-Python packer, ~2.5 us per argument (a command of 50 arguments: ~130 us against ~12)."""

    _packer = HiredisRespSerializer()

    def pack_command(self, *args):
        if isinstance(args[0], str) and " " not in args[0]:
            try:
                return [hiredis.pack_command(args)]
            except TypeError:
                pass  # a bytearray or memoryview argument, or a wrong type: the serializer converts or refuses it
        return self._packer.pack(*args)  # also splits a command name like "SCRIPT LOAD"


@lru_cache(maxsize=1)
def client() -> aioredis.Redis:
    # Pooled connections left dead by a Redis restart must not fail the requests that draw them:
    # - a connection idle for a second is PINGed before it sends anything (health check), and a
    #   failed PING reconnects: the accept script, sent at most once, then goes out on a live one;
    # - a command that meets a closed connection is sent once more on a fresh one (redis-py's
    #   connections retry nothing by default). Timeouts are not retried.
    pool = aioredis.ConnectionPool.from_url(get_settings().redis_url, socket_timeout=5, socket_connect_timeout=2,
                                            max_connections=256, health_check_interval=1,
                                            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 1),
                                            retry_on_error=[RedisConnectionError])
    # the class the URL chose (TCP, TLS or a unix socket), packing with hiredis
    pool.connection_class = type(f"Hiredis{pool.connection_class.__name__}",
                                 (_HiredisPacking, pool.connection_class), {})
    return aioredis.Redis(connection_pool=pool)


@asynccontextmanager
async def redis_errors(what: str = "the queue is unreachable"):
    try:
        yield
    except REDIS_DOWN as exc:
        raise MemqError(ErrorCode.NOT_ACCEPTED, f"{what}; nothing was written, retry later ({type(exc).__name__})") \
            from exc
