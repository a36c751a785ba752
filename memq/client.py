"""Python client for memq, with the MemOS SDK's names and arguments: code written for
`memos.api.client.MemOSClient` runs with only the import line changed.

    from memq.client import MemOSClient
    client = MemOSClient(api_key="...", base_url="http://127.0.0.1:8000/api/openmem/v1")
    res = client.add_message(messages=[...], user_id="u1", conversation_id="c1")
    client.wait_for_task(res.data.task_id)
"""
from __future__ import annotations

import time
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from memq.errors import ErrorCode

DEFAULT_BASE_URL = "http://127.0.0.1:8000/api/openmem/v1"
RETRYABLE_STATUS = {429, 502, 503, 504}


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


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class AddData(_Model):
    success: bool
    task_id: str
    status: str
    memory_views: dict | None = None


class TaskData(_Model):
    task_id: str
    status: str
    memory_views: dict | None = None
    error: dict | None = None


class SearchData(_Model):
    memory_detail_list: list[dict] = []
    preference_detail_list: list[dict] = []
    tool_memory_detail_list: list[dict] = []
    preference_note: str = ""


class MemoryPage(SearchData):
    total: int = 0
    size: int = 10
    current: int = 1
    pages: int = 0


class MessageData(_Model):
    message_detail_list: list[dict] = []


class Response(_Model):
    code: int
    message: str
    data: Any = None


def _typed(data_model: type[BaseModel]):
    return type(f"{data_model.__name__}Response", (Response,), {"__annotations__": {"data": data_model | None}})


AddResponse, TaskResponse, SearchResponse = _typed(AddData), _typed(TaskData), _typed(SearchData)
MemoryPageResponse, MessageResponse = _typed(MemoryPage), _typed(MessageData)


class MemOSClient:
    def __init__(self, api_key: str | None = None, base_url: str | None = None, timeout: float = 30.0,
                 max_retries: int = 3, transport: httpx.BaseTransport | None = None):
        if not api_key:
            raise ValueError("an API key is required")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.max_retries = max_retries
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport,
                                  headers={"Authorization": f"Token {api_key}", "Content-Type": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- transport with retries that honour Retry-After ---
    def _request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> dict:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.request(method, path, json=body, headers=headers)
            except httpx.TransportError:
                if attempt > self.max_retries:
                    raise
                time.sleep(min(8.0, 0.5 * 2 ** attempt))
                continue
            payload = response.json() if response.headers.get("content-type", "").startswith("application/json") \
                else {"code": int(ErrorCode.INTERNAL), "message": response.text[:300]}
            if response.status_code == 200 and payload.get("code") == 0:
                return payload
            retry_after = float(response.headers.get("Retry-After", 0) or 0) or None
            if response.status_code in RETRYABLE_STATUS and attempt <= self.max_retries:
                time.sleep(retry_after or min(8.0, 0.5 * 2 ** attempt))
                continue
            code = int(payload.get("code") or ErrorCode.INTERNAL)
            raise ERRORS.get(code, MemQAPIError)(code, payload.get("message", ""), response.status_code, retry_after)

    def _post(self, path: str, body: dict, model: type[Response] = Response, headers: dict | None = None):
        clean = {k: v for k, v in body.items() if v is not None}
        return model.model_validate(self._request("POST", path, clean, headers))

    # --- the MemOS SDK's methods ---
    def add_message(self, messages: list[dict[str, Any]], user_id: str, conversation_id: str,
                    info: dict[str, Any] | None = None, source: str | None = None, app_id: str | None = None,
                    agent_id: str | None = None, async_mode: bool = True, tags: list[str] | None = None,
                    idempotency_key: str | None = None, **ignored) -> AddResponse:
        body = {"messages": messages, "user_id": user_id, "conversation_id": conversation_id, "info": info,
                "app_id": app_id, "agent_id": agent_id, "tags": tags, "async_mode": async_mode}
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self._post("/add/message", body, AddResponse, headers)

    def get_task_status(self, task_id: str) -> TaskResponse:
        return self._post("/get/status", {"task_id": task_id}, TaskResponse)

    def search_memory(self, query: str, user_id: str, conversation_id: str | None = None,
                      memory_limit_number: int = 9, include_preference: bool = True,
                      filter: dict[str, Any] | None = None, include_tool_memory: bool = False,
                      preference_limit_number: int = 9, tool_memory_limit_number: int = 6,
                      relativity: float | None = None, **ignored) -> SearchResponse:
        return self._post("/search/memory", {
            "query": query, "user_id": user_id, "conversation_id": conversation_id,
            "memory_limit_number": memory_limit_number, "include_preference": include_preference,
            "filter": filter, "include_tool_memory": include_tool_memory,
            "preference_limit_number": preference_limit_number,
            "tool_memory_limit_number": tool_memory_limit_number, "relativity": relativity}, SearchResponse)

    def get_memory(self, user_id: str, include_preference: bool = True, page: int = 1, size: int = 10,
                   filter: dict[str, Any] | None = None, include_tool_memory: bool = False) -> MemoryPageResponse:
        return self._post("/get/memory", {"user_id": user_id, "include_preference": include_preference,
                                          "page": page, "size": size, "filter": filter,
                                          "include_tool_memory": include_tool_memory}, MemoryPageResponse)

    def get_memory_by_id(self, memory_id: str) -> Response:
        return Response.model_validate(self._request("GET", f"/get/memory/{memory_id}"))

    def update_memory(self, memory_id: str, content: str | None = None, status: str | None = None) -> Response:
        return self._post("/update/memory", {"memory_id": memory_id, "content": content, "status": status})

    def delete_memory(self, memory_ids: list[str] | None = None, user_id: str | None = None,
                      agent_id: str | None = None, filter: dict[str, Any] | None = None) -> Response:
        return self._post("/delete/memory", {"memory_ids": memory_ids, "user_id": user_id, "agent_id": agent_id,
                                             "filter": filter})

    def get_message(self, user_id: str, conversation_id: str, message_limit_number: int = 6,
                    **ignored) -> MessageResponse:
        return self._post("/get/message", {"user_id": user_id, "conversation_id": conversation_id,
                                           "message_limit_number": message_limit_number}, MessageResponse)

    def get_quota(self) -> Response:
        return Response.model_validate(self._request("GET", "/quota"))

    def wait_for_task(self, task_id: str, timeout: float = 120.0, poll: float = 0.2) -> TaskData:
        deadline = time.monotonic() + timeout
        while True:
            data = self.get_task_status(task_id).data
            if data.status in ("completed", "failed") or time.monotonic() > deadline:
                if data.status not in ("completed", "failed"):
                    raise TimeoutError(f"task {task_id} still {data.status} after {timeout} s")
                return data
            time.sleep(poll)
