"""A Lua script called by many requests at once, sent to Redis in batches.

The calls made during one turn of the event loop go together, at the end of that turn: one
pipeline (one connection checkout, one write, one read) per batch rather than per request.
Under load a turn handles the requests of many connections (~16 calls a batch at `make bench`'s
32 connections); alone, a call waits for nothing. Each call is still its own EVALSHA, atomic on
its own, and each caller gets its own reply or error: batching changes the cost, not what a call
does. It more than halves the API's CPU per call (~40 -> ~17 us)."""
from __future__ import annotations

import asyncio
import hashlib

from redis.exceptions import DataError, NoScriptError

from api.redis_conn import client

Call = tuple[list, list, asyncio.Future]


class BatchedScript:
    def __init__(self, script: str):
        self.script = script
        self.sha = hashlib.sha1(script.encode()).hexdigest()
        self._waiting: list[Call] = []
        self._flush_scheduled = False
        self._sending: set[asyncio.Task] = set()  # the loop keeps only weak references to tasks

    def submit(self, keys: list, args: list) -> asyncio.Future:
        """Queue a call; the future gets its reply, or the error that the call (or, with the
        connection lost, possibly its whole batch) met."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting.append((keys, args, future))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        batch, self._waiting, self._flush_scheduled = self._waiting, [], False
        task = asyncio.ensure_future(self._send(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[Call], loaded: bool = False) -> None:
        pipe = client().pipeline(transaction=False)
        for keys, args, _ in batch:
            pipe.evalsha(self.sha, len(keys), *keys, *args)
        try:
            replies = await pipe.execute(raise_on_error=False)
            # Redis restarted (scripts do not survive it): those calls did not run; load it once
            unknown = [call for call, reply in zip(batch, replies) if isinstance(reply, NoScriptError)]
            if unknown and not loaded:
                await client().script_load(self.script)
        except (DataError, UnicodeEncodeError) as exc:  # a call could not be packed: nothing was sent
            if len(batch) == 1:
                _fail(batch, exc)
                return
            for call in batch:
                await self._send([call], loaded)  # so that only that call fails
            return
        except BaseException as exc:
            _fail(batch, exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (*_, future), reply in zip(batch, replies):
            if isinstance(reply, NoScriptError) and not loaded:
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)
        if unknown and not loaded:
            await self._send(unknown, loaded=True)


def _fail(calls: list[Call], exc: BaseException) -> None:
    for *_, future in calls:
        if future.done():
            continue
        if isinstance(exc, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(exc)
