"""What `memq import` keeps track of: the checkpoint (which chunks the server accepted), the
rejected-items report, the counters of the summary, and the pacer that keeps the token rate
under the key's quota."""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO


class Checkpoint:
    """An append-only JSONL of `{"key", "task_id"}` per accepted chunk, flushed line by line, so
    a killed import loses at most the chunk in flight (and that one is replayed harmlessly: its
    Idempotency-Key gets the original task_id back)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.done: dict[str, str] = {}
        self._handle: TextIO | None = None
        torn = False
        if path and path.exists():
            text = path.read_text(encoding="utf-8")
            torn = bool(text) and not text.endswith("\n")
            for line in text.splitlines():
                try:
                    entry = json.loads(line)
                    self.done[entry["key"]] = entry["task_id"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line torn by a kill mid-write: that chunk is simply sent again
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = path.open("a", encoding="utf-8")
            if torn:  # end the torn line, or the next record would be glued to it
                self._handle.write("\n")

    def record(self, key: str, task_id: str) -> None:
        self.done[key] = task_id
        if self._handle:
            self._handle.write(json.dumps({"key": key, "task_id": task_id}) + "\n")
            self._handle.flush()

    def close(self) -> None:
        if self._handle:
            self._handle.close()


class RejectLog:
    """The JSONL of items that did not make it, one line each, with code and reason."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: list[dict[str, Any]] = []

    def add(self, source: str, code: int | str, message: str, **context: Any) -> None:
        self.entries.append({"source": source, "code": code, "message": message, **context})

    def write(self) -> None:
        """Written at the end of every run, empty when nothing failed: a file left by an earlier
        run must not read as this run's failures."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("w", encoding="utf-8") as handle:
            for entry in self.entries:
                handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


@dataclass
class Stats:
    conversations: int = 0
    requests: int = 0
    messages: int = 0
    sent: int = 0  # requests the server accepted as new
    replayed: int = 0  # requests the server already had (same Idempotency-Key)
    skipped: int = 0  # requests the checkpoint says were accepted before
    messages_done: int = 0
    rejected: int = 0  # 4xx, or unreadable input
    failed: int = 0  # 5xx / timeouts after every retry
    throttled: int = 0  # 40309 answers waited out
    retries: int = 0  # 5xx / transport errors retried
    tasks_completed: int = 0
    tasks_failed: int = 0
    tasks_pending: int = 0
    send_seconds: float = 0.0
    started: float = field(default_factory=time.monotonic)

    @property
    def accepted(self) -> int:
        return self.sent + self.replayed + self.skipped

    @property
    def ok(self) -> bool:
        return not (self.rejected or self.failed or self.tasks_failed or self.tasks_pending)

    def on_retry(self, reason: str, _delay: float) -> None:
        if reason.startswith("quota"):
            self.throttled += 1
        else:
            self.retries += 1


class Pacer:
    """At most `share` of the key's quota in each of the server's quota windows. The server counts
    in fixed windows (api/quota.py): a bucket refilling continuously could spend its fill at the end
    of one window and again at the start of the next, near twice the quota in one. So the pacer
    follows the same windows, from the `reset` the server gave: it starts with what is left of the
    current one, and waits for the next when its share is spent. A 40309 (the key is shared, or
    the clocks differ) spends what is left of the window."""

    def __init__(self, limit: int, window_seconds: float, used: int = 0, share: float = 0.9,
                 reset_at: float | None = None):
        self.budget = max(1.0, limit * share)
        self.window = max(window_seconds, 0.001)
        now = time.time()
        self.window_end = reset_at if reset_at and reset_at > now else (now // self.window + 1) * self.window
        self.left = max(0.0, self.budget - used)
        self._lock = asyncio.Lock()

    def _roll(self, now: float) -> None:
        if now >= self.window_end:  # a later window: its whole share
            self.window_end += (int((now - self.window_end) // self.window) + 1) * self.window
            self.left = self.budget

    async def acquire(self, tokens: int) -> None:
        cost = min(float(tokens), self.budget)  # a request over the share still goes, alone in its window
        async with self._lock:  # first come, first served
            self._roll(time.time())
            while self.left < cost:
                await asyncio.sleep(max(0.0, self.window_end - time.time()) + 0.01)
                self._roll(time.time())
            self.left -= cost

    def drain(self, *_args: Any) -> None:
        self.left = 0.0
