"""Python clients for memq, with the MemOS SDK's names and arguments: code written for
`memos.api.client.MemOSClient` runs with only the import line changed.

    from memq.client import MemOSClient
    client = MemOSClient(api_key="...", base_url="http://127.0.0.1:8000/api/openmem/v1")
    res = client.add_message(messages=[...], user_id="u1", conversation_id="c1")
    client.wait_for_task(res.data.task_id)

`AsyncMemOSClient` has the same methods, each awaitable. Both share one implementation: every
call is a small generator ("flow") that yields what it needs done — send this request, sleep
this long — and each client only runs flows with its own I/O (httpx.Client + time.sleep, or
httpx.AsyncClient + asyncio.sleep). Retries, Retry-After, error mapping and task polling are
therefore written once.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Union
from urllib.parse import quote

import httpx

from memq.client_types import (  # noqa: F401  (re-exported: the typed responses)
    AddData, AddResponse, AnyMemory, DeleteData, DeleteResponse, FactMemory, MemoryPage, MemoryPageResponse,
    MemoryResponse, MemoryViews, Message, MessageData, MessageResponse, PreferenceMemory, QuotaData, QuotaResponse,
    Response, SearchData, SearchResponse, Source, TaskData, TaskResponse, ToolMemory, UpdateData, UpdateResponse)
from memq.errors import ErrorCode

DEFAULT_BASE_URL = "http://127.0.0.1:8000/api/openmem/v1"
RETRYABLE_STATUS = {429, 500, 502, 503, 504}
BACKOFF_MAX = 8.0


# --- errors: one class per business code -------------------------------------------------

class MemQAPIError(Exception):
    """An error envelope from the server. Subclasses name each business code."""

    code: int = 0

    def __init__(self, code: int, message: str, status: int, retry_after: float | None = None):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status, self.retry_after = code, message, status, retry_after


def _error_class(code: ErrorCode) -> type[MemQAPIError]:
    name = "".join(part.capitalize() for part in code.name.split("_")) + "Error"
    return type(name, (MemQAPIError,), {"code": int(code), "__doc__": f"Business code {int(code)}."})


ERRORS: dict[int, type[MemQAPIError]] = {int(code): _error_class(code) for code in ErrorCode}
globals().update({cls.__name__: cls for cls in ERRORS.values()})  # InvalidError, QuotaExceededError, ...


def error_for(code: int) -> type[MemQAPIError]:
    return ERRORS.get(code, MemQAPIError)


# --- flows: the logic of a call, independent of sync/async I/O ------------------------------

@dataclass
class _Send:
    method: str
    path: str
    body: dict | None = None
    headers: dict | None = None


@dataclass
class _Sleep:
    seconds: float
    reason: str = ""


Flow = Generator[Union[_Send, _Sleep], Any, Any]


def backoff(attempt: int, base: float = 0.5) -> float:
    return min(BACKOFF_MAX, base * 2 ** attempt)


def _payload(response: httpx.Response) -> dict:
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            return response.json()
        except ValueError:
            pass
    return {"code": int(ErrorCode.INTERNAL), "message": f"HTTP {response.status_code}: {response.text[:300]}"}


@dataclass
class RetryPolicy:
    """`max_retries` bounds retries of 5xx and transport errors; `max_quota_waits` bounds waits on
    429/40309 (None: wait as long as the server asks, which is what a bulk import wants)."""

    max_retries: int = 3
    max_quota_waits: int | None = 3
    on_retry: Callable[[str, float], None] | None = field(default=None, repr=False)
    backoff_base: float = 0.5  # seconds before the first retry; doubles each time, at most BACKOFF_MAX


def request_flow(policy: RetryPolicy, send: _Send, model: type[Response] = Response) -> Flow:
    failures = quota_waits = 0
    while True:
        try:
            response = yield send
        except httpx.TransportError as exc:  # connect errors and timeouts
            failures += 1
            if failures > policy.max_retries:
                raise
            yield from _pause(policy, backoff(failures, policy.backoff_base), f"transport: {type(exc).__name__}")
            continue
        payload = _payload(response)
        if response.status_code == 200 and payload.get("code") == 0:
            result = model.model_validate(payload)
            result._headers = {k.lower(): v for k, v in response.headers.items()}
            return result
        retry_after = float(response.headers.get("Retry-After") or 0) or None
        code = int(payload.get("code") or ErrorCode.INTERNAL)
        if response.status_code == 429:
            quota_waits += 1
            if policy.max_quota_waits is None or quota_waits <= policy.max_quota_waits:
                yield from _pause(policy, retry_after or backoff(quota_waits, policy.backoff_base), f"quota: {code}")
                continue
        elif response.status_code in RETRYABLE_STATUS:
            failures += 1
            if failures <= policy.max_retries:
                yield from _pause(policy, retry_after or backoff(failures, policy.backoff_base), f"server: {code}")
                continue
        raise error_for(code)(code, payload.get("message", ""), response.status_code, retry_after)


def _pause(policy: RetryPolicy, seconds: float, reason: str) -> Flow:
    if policy.on_retry:
        policy.on_retry(reason, seconds)
    yield _Sleep(seconds, reason)


def wait_flow(status_flow: Callable[[], Flow], task_id: str, timeout: float, poll: float) -> Flow:
    deadline = time.monotonic() + timeout
    while True:
        data = (yield from status_flow()).data
        if data.status in ("completed", "failed"):
            return data
        if time.monotonic() > deadline:
            raise TimeoutError(f"task {task_id} still {data.status} after {timeout} s")
        yield _Sleep(poll)


# --- the endpoints, written once -----------------------------------------------------------

def _clean(body: dict) -> dict:
    return {k: v for k, v in body.items() if v is not None}


class _Endpoints:
    """Every method builds a flow and hands it to `_run`, which the sync client runs to a value
    and the async client to a coroutine."""

    policy: RetryPolicy

    def _run(self, flow: Flow) -> Any:
        raise NotImplementedError

    def _post_flow(self, path: str, body: dict, model: type[Response] = Response,
                   headers: dict | None = None) -> Flow:
        return request_flow(self.policy, _Send("POST", path, _clean(body), headers), model)

    def add_message(self, messages: list[dict[str, Any]], user_id: str, conversation_id: str,
                    info: dict[str, Any] | None = None, source: str | None = None, app_id: str | None = None,
                    agent_id: str | None = None, async_mode: bool = True, tags: list[str] | None = None,
                    idempotency_key: str | None = None, **ignored) -> AddResponse:
        body = {"messages": messages, "user_id": user_id, "conversation_id": conversation_id, "info": info,
                "app_id": app_id, "agent_id": agent_id, "tags": tags, "async_mode": async_mode}
        # Retries (timeouts, 5xx) resend the same batch: one key for all of them, made here when the
        # caller gives none, so a batch the server accepted before the answer was lost is not
        # stored again and charged again (the server answers the first task instead).
        headers = {"Idempotency-Key": idempotency_key or f"sdk-{uuid.uuid4().hex}"}
        return self._run(self._post_flow("/add/message", body, AddResponse, headers))

    def _status_flow(self, task_id: str) -> Flow:
        return self._post_flow("/get/status", {"task_id": task_id}, TaskResponse)

    def get_task_status(self, task_id: str) -> TaskResponse:
        return self._run(self._status_flow(task_id))

    def wait_for_task(self, task_id: str, timeout: float = 120.0, poll: float = 0.2) -> TaskData:
        """Poll get/status until the task is completed or failed; TimeoutError after `timeout` s."""
        return self._run(wait_flow(lambda: self._status_flow(task_id), task_id, timeout, poll))

    def search_memory(self, query: str, user_id: str, conversation_id: str | None = None,
                      memory_limit_number: int = 9, include_preference: bool = True,
                      filter: dict[str, Any] | None = None, include_tool_memory: bool = False,
                      preference_limit_number: int = 9, tool_memory_limit_number: int = 6,
                      relativity: float | None = None, **ignored) -> SearchResponse:
        return self._run(self._post_flow("/search/memory", {
            "query": query, "user_id": user_id, "conversation_id": conversation_id,
            "memory_limit_number": memory_limit_number, "include_preference": include_preference,
            "filter": filter, "include_tool_memory": include_tool_memory,
            "preference_limit_number": preference_limit_number,
            "tool_memory_limit_number": tool_memory_limit_number, "relativity": relativity}, SearchResponse))

    def get_memory(self, user_id: str, include_preference: bool = True, page: int = 1, size: int = 10,
                   filter: dict[str, Any] | None = None, include_tool_memory: bool = False) -> MemoryPageResponse:
        return self._run(self._post_flow("/get/memory", {
            "user_id": user_id, "include_preference": include_preference, "page": page, "size": size,
            "filter": filter, "include_tool_memory": include_tool_memory}, MemoryPageResponse))

    def get_memory_by_id(self, memory_id: str) -> MemoryResponse:
        # one path segment whatever the id holds ("a/b", "x?y=1", "../quota" are ids that do not exist)
        segment = quote(memory_id, safe="")
        path = f"/get/memory/{segment.replace('.', '%2E') if segment in ('.', '..') else segment}"
        return self._run(request_flow(self.policy, _Send("GET", path), MemoryResponse))

    def update_memory(self, memory_id: str, content: str | None = None, status: str | None = None) -> UpdateResponse:
        return self._run(self._post_flow("/update/memory", {"memory_id": memory_id, "content": content,
                                                            "status": status}, UpdateResponse))

    def delete_memory(self, memory_ids: list[str] | None = None, user_id: str | None = None,
                      agent_id: str | None = None, filter: dict[str, Any] | None = None) -> DeleteResponse:
        return self._run(self._post_flow("/delete/memory", {"memory_ids": memory_ids, "user_id": user_id,
                                                            "agent_id": agent_id, "filter": filter}, DeleteResponse))

    def get_message(self, user_id: str, conversation_id: str, message_limit_number: int = 6,
                    **ignored) -> MessageResponse:
        return self._run(self._post_flow("/get/message", {"user_id": user_id, "conversation_id": conversation_id,
                                                          "message_limit_number": message_limit_number},
                                         MessageResponse))

    def get_quota(self) -> QuotaResponse:
        """The key's token usage in the current window, and the per-request limits."""
        return self._run(request_flow(self.policy, _Send("GET", "/quota"), QuotaResponse))


def _http_options(api_key: str | None, base_url: str | None, timeout: float) -> dict:
    if not api_key:
        raise ValueError("an API key is required")
    return {"base_url": (base_url or DEFAULT_BASE_URL).rstrip("/"), "timeout": timeout,
            "headers": {"Authorization": f"Token {api_key}", "Content-Type": "application/json"}}


class MemOSClient(_Endpoints):
    def __init__(self, api_key: str | None = None, base_url: str | None = None, timeout: float = 30.0,
                 max_retries: int = 3, transport: httpx.BaseTransport | None = None,
                 max_quota_waits: int | None = 3, on_retry: Callable[[str, float], None] | None = None):
        options = _http_options(api_key, base_url, timeout)
        self.base_url = options["base_url"]
        self.policy = RetryPolicy(max_retries, max_quota_waits, on_retry)
        self._http = httpx.Client(transport=transport, **options)

    def _run(self, flow: Flow) -> Any:
        try:
            action = next(flow)
            while True:
                if isinstance(action, _Sleep):
                    time.sleep(action.seconds)
                    action = flow.send(None)
                    continue
                try:
                    response = self._http.request(action.method, action.path, json=action.body, headers=action.headers)
                except httpx.TransportError as exc:
                    action = flow.throw(exc)
                    continue
                action = flow.send(response)
        except StopIteration as done:
            return done.value

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "MemOSClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class AsyncMemOSClient(_Endpoints):
    """The same methods as MemOSClient, each returning an awaitable."""

    def __init__(self, api_key: str | None = None, base_url: str | None = None, timeout: float = 30.0,
                 max_retries: int = 3, transport: httpx.AsyncBaseTransport | None = None,
                 max_quota_waits: int | None = 3, on_retry: Callable[[str, float], None] | None = None,
                 max_connections: int = 100):
        options = _http_options(api_key, base_url, timeout)
        self.base_url = options["base_url"]
        self.policy = RetryPolicy(max_retries, max_quota_waits, on_retry)
        self._http = httpx.AsyncClient(transport=transport, limits=httpx.Limits(max_connections=max_connections),
                                       **options)

    async def _run(self, flow: Flow) -> Any:
        try:
            action = next(flow)
            while True:
                if isinstance(action, _Sleep):
                    await asyncio.sleep(action.seconds)
                    action = flow.send(None)
                    continue
                try:
                    response = await self._http.request(action.method, action.path, json=action.body,
                                                        headers=action.headers)
                except httpx.TransportError as exc:
                    action = flow.throw(exc)
                    continue
                action = flow.send(response)
        except StopIteration as done:
            return done.value

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncMemOSClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()
