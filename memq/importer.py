"""`memq import`: bulk historical import over the HTTP API, with limits, pacing, retries, resume
and a live progress display.

How it works:
1. GET /quota gives the key's token quota and the per-request limits; every conversation is
   split into requests under them (memq.import_split), each with a deterministic Idempotency-Key.
2. Users are imported in parallel (`concurrency` at a time); one user's conversations and one
   conversation's requests go in order, so message_index and the timeline come out as in the file.
3. The pacer keeps each of the server's quota windows under --quota-share of the quota; a 40309
   is waited out (Retry-After) and the request sent again; 5xx and timeouts are retried with
   backoff; any other 4xx is recorded as a rejected item with its code and the import goes on.
4. Each accepted request is appended to the checkpoint; a rerun skips those, and a request that
   was accepted but not yet checkpointed when the import was killed is answered by the server
   with its original task_id (Idempotency-Key), so nothing is written twice.
5. With `wait`, task statuses are polled as they are accepted, on a second progress bar.
"""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from memq.client import AsyncMemOSClient, BadApiKeyError, MemQAPIError, NoApiKeyError, TaskNotFoundError
from memq.import_formats import Conversation, Unreadable, read_path
from memq.import_split import Chunk, Limits, chunk_conversation
from memq.import_state import Checkpoint, Pacer, RejectLog, Stats

STATUS_BATCH = 32  # task statuses polled at once while waiting
UNREACHABLE_ROUNDS = 3  # rounds of status polls that all failed (each retried ~30 s) before giving up
# Requests in a row that got no answer after every retry (~30 s each) before the rest is held back:
# a server gone mid-import would otherwise cost every remaining request its own half minute.
LOST_REQUESTS = 3


@dataclass
class ImportOptions:
    path: Path
    base_url: str
    api_key: str
    fmt: str | None = None
    concurrency: int = 4
    wait: bool = False
    wait_timeout: float = 3600.0
    checkpoint: Path | None = None
    rejected: Path | None = None
    user_prefix: str = ""
    quota_share: float = 0.9  # share of the key's quota rate the import aims at
    max_requests: int | None = None  # stop after sending this many (a trial run)
    batch_size: int | None = None  # at most this many messages per request (default: the server's limit)
    timeout: float = 60.0
    show_progress: bool = True


class FatalImportError(Exception):
    """The import cannot go on at all (bad key, server unreachable)."""


@dataclass
class Planned:
    conversation: Conversation
    chunks: list[Chunk]


def plan(options: ImportOptions, limits: Limits, stats: Stats, rejects: RejectLog) -> dict[str, list[Planned]]:
    """Read and split everything up front: the totals drive the progress bar and its ETA."""
    by_user: dict[str, list[Planned]] = defaultdict(list)
    for item in read_path(options.path, options.fmt, options.user_prefix):
        if isinstance(item, Unreadable):
            stats.rejected += 1
            rejects.add(item.source, item.code, item.message)
            continue
        header = {"user_id": item.user_id, "conversation_id": item.conversation_id, **item.extra}
        chunks = chunk_conversation(header, item.messages, limits)
        by_user[str(item.user_id)].append(Planned(item, chunks))
        stats.conversations += 1
        stats.requests += len(chunks)
        stats.messages += len(item.messages)
    return by_user


class _Rate(ProgressColumn):
    def render(self, task) -> Text:
        speed, unit = task.finished_speed or task.speed, task.fields.get("unit", "")
        return Text(f"{speed:,.1f} {unit}/s" if speed else f"-- {unit}/s", style="progress.data.speed")


def _progress(console: Console, enabled: bool) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                    TextColumn("{task.completed:,.0f}/{task.total:,.0f}"), _Rate(), TimeRemainingColumn(),
                    TextColumn("{task.fields[status]}"), console=console, disable=not enabled)


class Importer:
    def __init__(self, options: ImportOptions, console: Console | None = None):
        self.options = options
        self.console = console or Console(stderr=True)
        self.stats = Stats()
        self.rejects = RejectLog(options.rejected)
        self.checkpoint = Checkpoint(options.checkpoint)
        self.pending: dict[str, str] = {}  # task_id -> source, awaiting completion
        self.sending_done = False
        self.stopped_early = False
        self.wait_note = ""  # why waiting stopped before every task finished
        self._budget = options.max_requests
        self._seen_tasks: set[str] = set()
        self._lost = 0  # requests in a row that no retry got an answer to (see LOST_REQUESTS)

    def _client(self) -> AsyncMemOSClient:
        return AsyncMemOSClient(self.options.api_key, self.options.base_url, timeout=self.options.timeout,
                                max_retries=6, max_quota_waits=None)

    async def run(self) -> Stats:
        self.client = self._client()
        try:
            await self._run()
        finally:
            await self.client.aclose()
            self.checkpoint.close()
            self.rejects.write()
        return self.stats

    async def _run(self) -> None:
        try:
            quota = (await self.client.get_quota()).data
        except (BadApiKeyError, NoApiKeyError) as exc:
            raise FatalImportError(f"the server refused the API key: {exc}") from exc
        except (httpx.TransportError, MemQAPIError) as exc:
            raise FatalImportError(f"cannot read the quota at {self.options.base_url}: {exc}") from exc
        share = self.options.quota_share
        # A request larger than the quota window could never be accepted: cap requests below it too.
        limits = Limits(min(quota.max_messages, self.options.batch_size or quota.max_messages),
                        quota.max_content_chars, max(1, min(quota.max_request_tokens, int(quota.limit * share))))
        by_user = plan(self.options, limits, self.stats, self.rejects)
        self.pacer = Pacer(quota.limit, quota.window_seconds, quota.used, share, reset_at=quota.reset)
        self.client.policy.on_retry = self._on_retry
        with _progress(self.console, self.options.show_progress) as progress:
            self.progress = progress
            self.bar = progress.add_task("messages", total=self.stats.messages, status=self._status(), unit="msg")
            self.task_bar = progress.add_task("tasks", total=0, status="", unit="task") if self.options.wait else None
            waiter = asyncio.create_task(self._wait_tasks()) if self.options.wait else None
            try:
                await self._send_all(by_user)
            except BaseException:  # aborted or interrupted: stop waiting too, the checkpoint is saved
                if waiter:
                    waiter.cancel()
                raise
            finally:
                self.sending_done = True
                self.stats.send_seconds = time.monotonic() - self.stats.started
            if waiter:
                await waiter
        self.stats.tasks_pending = len(self.pending) if self.options.wait else 0

    def _on_retry(self, reason: str, delay: float) -> None:
        self.stats.on_retry(reason, delay)
        if reason.startswith("quota"):
            self.pacer.drain()
        self._refresh()

    async def _send_all(self, by_user: dict[str, list[Planned]]) -> None:
        queue: asyncio.Queue[list[Planned]] = asyncio.Queue()
        for conversations in by_user.values():
            queue.put_nowait(conversations)
        workers = [asyncio.create_task(self._worker(queue)) for _ in range(max(1, self.options.concurrency))]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()

    async def _worker(self, queue: asyncio.Queue) -> None:
        while not queue.empty():
            for planned in queue.get_nowait():
                for n, chunk in enumerate(planned.chunks):
                    if self._lost >= LOST_REQUESTS:
                        self._hold_back(planned, n, "the server stopped answering; rerun to send the rest")
                        break
                    if not await self._send(planned.conversation, chunk):
                        self._hold_back(planned, n + 1)
                        break

    def _hold_back(self, planned: Planned, start: int,
                   why: str = "an earlier request of this conversation failed; rerun to send both in order") -> None:
        """After a request of a conversation failed, its later requests are not sent: a rerun
        sends them after the failed one, so messages keep their order."""
        for chunk in planned.chunks[start:]:
            self._refused(planned.conversation, chunk, "not_sent", why, failed=True)

    async def _send(self, conversation: Conversation, chunk: Chunk) -> bool:
        """Send one request; False when it failed (5xx/timeouts) and may succeed on a rerun."""
        done_task = self.checkpoint.done.get(chunk.key)
        if done_task:
            self.stats.skipped += 1
            self._accepted(done_task, conversation, chunk)
            return True
        if self._budget is not None:
            if self._budget <= 0:
                self.stopped_early = True
                return True
            self._budget -= 1
        await self.pacer.acquire(chunk.tokens)
        try:
            res = await self.client.add_message(**chunk.body, idempotency_key=chunk.key)
        except (BadApiKeyError, NoApiKeyError) as exc:
            raise FatalImportError(f"the server refused the API key: {exc}") from exc
        except MemQAPIError as exc:
            failed = exc.status >= 429
            self._refused(conversation, chunk, exc.code, exc.message, failed=failed)
            return not failed
        except httpx.TransportError as exc:
            self._lost += 1
            self._refused(conversation, chunk, "transport", f"{type(exc).__name__}: {exc}", failed=True)
            return False
        else:
            self._lost = 0
            replayed = res.headers.get("idempotent-replayed") == "true"
            self.stats.replayed += replayed
            self.stats.sent += not replayed
            self.checkpoint.record(chunk.key, res.data.task_id)
            self._accepted(res.data.task_id, conversation, chunk)
            return True

    def _accepted(self, task_id: str, conversation: Conversation, chunk: Chunk) -> None:
        if self.options.wait and task_id not in self._seen_tasks:  # identical input items share a task
            self._seen_tasks.add(task_id)
            self.pending[task_id] = f"{conversation.source} messages {chunk.start}-{chunk.start + chunk.size - 1}"
            self.progress.update(self.task_bar, total=len(self.pending) + self.stats.tasks_completed
                                 + self.stats.tasks_failed)
        self._advance(chunk)

    def _refused(self, conversation: Conversation, chunk: Chunk, code, message: str, failed: bool) -> None:
        if failed:
            self.stats.failed += 1
        else:
            self.stats.rejected += 1
        self.rejects.add(conversation.source, code, message, user_id=chunk.body.get("user_id"),
                         conversation_id=chunk.body.get("conversation_id"), first_message=chunk.start,
                         messages=chunk.size, idempotency_key=chunk.key)
        self._advance(chunk)

    def _advance(self, chunk: Chunk) -> None:
        self.stats.messages_done += chunk.size
        self.progress.advance(self.bar, chunk.size)  # advance(), unlike update(), records the final speed
        self.progress.update(self.bar, status=self._status())

    def _status(self) -> str:
        s = self.stats
        text = f"[green]{s.accepted} ok[/] [red]{s.rejected + s.failed} failed[/]"
        return text + (f" [yellow]{s.throttled} throttled[/]" if s.throttled else "")

    def _refresh(self) -> None:
        if hasattr(self, "bar"):
            self.progress.update(self.bar, status=self._status())

    # --- waiting for processing ---
    async def _wait_tasks(self) -> None:
        deadline = time.monotonic() + self.options.wait_timeout
        unreachable = 0
        while time.monotonic() < deadline and unreachable < UNREACHABLE_ROUNDS:
            if self.sending_done and not self.pending:
                return
            oldest = list(self.pending)[:STATUS_BATCH]  # tasks finish roughly in the order accepted
            answers = await asyncio.gather(*(self._check_task(t) for t in oldest))
            unreachable = unreachable + 1 if oldest and all(a is None for a in answers) else 0
            if not oldest or not all(answers):  # nothing to ask yet, or some still running
                await asyncio.sleep(0.5)
        self.wait_note = "the server stopped answering" if unreachable else f"gave up after {self.options.wait_timeout} s"

    async def _check_task(self, task_id: str) -> bool | None:
        """True when the task is finished, False when not yet, None when its status could not be read."""
        try:
            data = (await self.client.get_task_status(task_id)).data
        except TaskNotFoundError:
            # Its record expired (task_ttl_days after it finished): it completed long ago.
            status, error = "completed", None
        except (MemQAPIError, httpx.TransportError):
            return None  # asked again next round
        else:
            status, error = data.status, data.error
        if status not in ("completed", "failed"):
            return False
        source = self.pending.pop(task_id)
        if status == "failed":
            self.stats.tasks_failed += 1
            error = error or {}
            self.rejects.add(source, error.get("code", "failed"), error.get("message", "task failed"), task_id=task_id)
        else:
            self.stats.tasks_completed += 1
        failed = f" [red]{self.stats.tasks_failed} failed[/]" if self.stats.tasks_failed else ""
        self.progress.advance(self.task_bar, 1)
        self.progress.update(self.task_bar, status=f"[green]{self.stats.tasks_completed} done[/]{failed}")
        return True


def summary_table(importer: Importer) -> Table:
    stats, options = importer.stats, importer.options
    elapsed = time.monotonic() - stats.started
    table = Table(title="memq import", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [("conversations", stats.conversations), ("messages", stats.messages), ("requests", stats.requests),
            ("  sent (new)", stats.sent), ("  already on the server", stats.replayed),
            ("  skipped (checkpoint)", stats.skipped), ("  rejected (4xx, bad input)", stats.rejected),
            ("  failed (5xx, timeouts)", stats.failed), ("throttled (40309 waited out)", stats.throttled),
            ("retried (5xx, timeouts)", stats.retries)]
    if options.wait:
        rows += [("tasks completed", stats.tasks_completed), ("tasks failed", stats.tasks_failed),
                 ("tasks unfinished", stats.tasks_pending)]
    sending = stats.send_seconds or elapsed
    rows += [("sent in", f"{sending:,.1f} s ({stats.messages_done / max(sending, 1e-6):,.1f} msg/s)")]
    if options.wait:
        rows += [("processed in", f"{elapsed:,.1f} s ({stats.tasks_completed / max(elapsed, 1e-6):,.2f} tasks/s)")]
    for name, value in rows:
        table.add_row(name, f"{value:,}" if isinstance(value, int) else value)
    if importer.stopped_early:
        table.add_row("[yellow]stopped early[/]", f"after {options.max_requests} requests")
    if importer.wait_note:
        table.add_row("[yellow]stopped waiting[/]", importer.wait_note)
    return table


async def run_import(options: ImportOptions, console: Console | None = None) -> Importer:
    importer = Importer(options, console)
    await importer.run()
    return importer
