"""The OpenMem v1 endpoints. Handlers are thin: validate, authenticate, then either accept a
batch into Redis or ask the store worker over the queue."""
from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api import queue
from api.auth import Caller, authenticate
from api.intake import accept, check_id_length, check_limits, present_status, task_status_record, wait_for_completion
from api.quota import charge
from api.errors import validation_to_memq
from api.redis_conn import client, redis_errors
from api.schemas import (AddMessageRequest, DeleteMemoryRequest, Envelope, GetMemoryRequest, GetMessageRequest,
                         SearchMemoryRequest, TaskStatusRequest, UpdateMemoryRequest)
from memq.errors import ErrorCode, MemqError
from memq.settings import get_settings
from pipeline import keys
from pipeline.filters import parse_filter
from pipeline.models import user_scope

router = APIRouter(prefix="/api/openmem/v1")

ERRORS = {code: {"model": Envelope, "description": "error envelope"} for code in (400, 401, 404, 413, 429, 500, 503)}


def ok(data, headers: dict[str, str] | None = None, status: int = 200) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "ok", "data": data}, status_code=status, headers=headers)


def _required(value: str | None, field: str) -> str:
    if value is None or not str(value).strip():
        raise MemqError(ErrorCode.MISSING, "is required and must not be empty", field=field)
    check_id_length(field, value)
    return value


class AuthenticatedBodyRoute(APIRoute):
    """For the hot path (add/message): what FastAPI's general handler does for an endpoint
    `(body, request, caller=Depends(authenticate))`, in the same order (the body's JSON, then the
    key, then the body's validation against the route's own body field, with the same errors),
    without its per-request machinery (dependency solving, parameter parsing, telemetry): ~15% of
    an add's CPU at `make bench`'s load. The OpenAPI description comes from the endpoint's
    signature and the route's arguments as usual."""

    def get_route_handler(self):
        endpoint, body_field = self.endpoint, self.body_field

        async def handler(request: Request) -> Response:
            body = await _json_body(request)
            caller = await authenticate(request)
            try:
                value, errors = body_field.validate(body, {}, loc=("body",))
                if errors:
                    raise validation_to_memq(list(RequestValidationError(errors, body=body).errors()))
                return await endpoint(value, request, caller)
            except MemqError as exc:
                if exc.status < 500 and "X-RateLimit-Limit" not in exc.headers:
                    exc.headers.update(await _quota_headers(caller))
                raise

        return handler


async def _quota_headers(caller: Caller) -> dict[str, str]:
    """The key's quota as it stands, for a refused add (API.md: quota headers on every add/message
    answer). A refused request is not charged; if the count cannot be read (Redis down), the
    refusal goes out without them rather than as another error."""
    try:
        return (await charge(caller.key_hash, 0, caller.quota_tokens)).headers()
    except Exception:  # noqa: BLE001 - whatever went wrong with the read, the refusal is the answer
        return {}


async def _json_body(request: Request):
    """The body as FastAPI reads it for a JSON body parameter: parsed JSON when the content type
    is application/json or */*+json, else the raw bytes (which fail validation); none is missing."""
    raw = await request.body()
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    main, _, sub = media_type.partition("/")
    if main != "application" or not (sub == "json" or sub.endswith("+json")):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                                       "input": {}, "ctx": {"error": exc.msg}}], body=exc.doc) from exc
    except ValueError as exc:  # not UTF-8/16/32
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from exc
    except RecursionError:  # arrays or objects nested thousands deep: no request of this API is
        raise MemqError(ErrorCode.INVALID, "the request body is nested too deeply", field="body") from None


# Read from the request itself on the hot path; documented here.
IDEMPOTENCY_HEADER = {"parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                      "schema": {"type": "string"},
                                      "description": "a retry with the same key within 24 h returns the first "
                                                     "task and is not charged again"}]}


async def add_message(body: AddMessageRequest, request: Request, caller: Caller = Depends(authenticate)):
    """Accept the batch (api/intake.py); the Idempotency-Key header makes a retry safe."""
    tokens = check_limits(body, caller.quota_tokens)
    accepted = await accept(caller, body, tokens, request.headers.get("idempotency-key"), request.state.request_id)
    headers = accepted.quota.headers()
    if accepted.replayed:
        headers["Idempotent-Replayed"] = "true"
    if body.async_mode is False:
        status = present_status(await wait_for_completion(accepted.task_id))
        if status["status"] == "failed":
            err = status["error"]
            raise MemqError(ErrorCode(err["code"]), err["message"], headers=headers)
        return ok({"success": True, "task_id": accepted.task_id, "status": status["status"],
                   "memory_views": status["memory_views"]}, headers)
    return ok({"success": True, "task_id": accepted.task_id, "status": "running"}, headers)


router.add_api_route("/add/message", add_message, methods=["POST"], response_model=Envelope, responses=ERRORS,
                     openapi_extra=IDEMPOTENCY_HEADER, route_class_override=AuthenticatedBodyRoute)


@router.post("/get/status", response_model=Envelope, responses=ERRORS)
async def get_status(body: TaskStatusRequest, caller: Caller = Depends(authenticate)):
    _required(body.task_id, "task_id")
    record = await task_status_record(body.task_id)
    if not record or record.get("project") != caller.project:
        raise MemqError(ErrorCode.TASK_NOT_FOUND, f"no task with id {body.task_id}", field="task_id")
    return ok(present_status(record))


@router.post("/search/memory", response_model=Envelope, responses=ERRORS)
async def search_memory(body: SearchMemoryRequest, request: Request, caller: Caller = Depends(authenticate)):
    _required(body.user_id, "user_id")
    _required(body.query, "query")
    if body.conversation_id:
        check_id_length("conversation_id", body.conversation_id)
    parse_filter(body.filter)  # a malformed filter is a 40000 here, before any work
    payload = {"user_id": body.user_id, "query": body.query, "filter": body.filter,
               "conversation_id": body.conversation_id,
               "memory_limit": 9 if body.memory_limit_number is None else body.memory_limit_number,
               "include_preference": body.include_preference is not False,
               "preference_limit": 9 if body.preference_limit_number is None else body.preference_limit_number,
               "include_tool_memory": bool(body.include_tool_memory),
               "tool_limit": 6 if body.tool_memory_limit_number is None else body.tool_memory_limit_number,
               "relativity": body.relativity or 0.0}
    return ok(await queue.call("query.search", caller.project, payload, request_id=request.state.request_id))


@router.post("/get/memory", response_model=Envelope, responses=ERRORS)
async def get_memories(body: GetMemoryRequest, request: Request, caller: Caller = Depends(authenticate)):
    _required(body.user_id, "user_id")
    parse_filter(body.filter)
    payload = {"user_id": body.user_id, "filter": body.filter, "page": body.page or 1, "size": body.size or 10,
               "include_preference": body.include_preference is not False,
               "include_tool_memory": bool(body.include_tool_memory)}
    return ok(await queue.call("query.get_memories", caller.project, payload, request_id=request.state.request_id))


@router.get("/get/memory/{memory_id}", response_model=Envelope, responses=ERRORS)
async def get_memory(memory_id: str, request: Request, caller: Caller = Depends(authenticate)):
    return ok(await queue.call("query.get_memory", caller.project, memory_id, request_id=request.state.request_id))


@router.post("/update/memory", response_model=Envelope, responses=ERRORS)
async def update_memory(body: UpdateMemoryRequest, request: Request, caller: Caller = Depends(authenticate)):
    _required(body.memory_id, "memory_id")
    if body.content is None and body.status is None:
        raise MemqError(ErrorCode.MISSING, "give content or status to change", field="content")
    if body.content is not None and not body.content.strip():
        raise MemqError(ErrorCode.MISSING, "must not be empty (to archive a memory, set status)", field="content")
    return ok(await queue.call("query.update_memory", caller.project, body.model_dump(),
                               request_id=request.state.request_id))


@router.post("/delete/memory", response_model=Envelope, responses=ERRORS)
async def delete_memory(body: DeleteMemoryRequest, request: Request, caller: Caller = Depends(authenticate)):
    given = [name for name in ("memory_ids", "user_id", "agent_id", "filter") if getattr(body, name) not in (None, "")]
    if not given:
        raise MemqError(ErrorCode.MISSING, "give exactly one of memory_ids, user_id, agent_id or filter",
                        field="memory_ids")
    if body.user_id:
        check_id_length("user_id", body.user_id)
    # user_id may narrow another selector (the MemOS SDK sends it along); two others are ambiguous.
    narrowing = [name for name in given if name != "user_id"]
    if len(narrowing) > 1:
        raise MemqError(ErrorCode.INVALID, f"give exactly one selector, not {', '.join(narrowing)}",
                        field=narrowing[1])
    if body.memory_ids is not None and not body.memory_ids:
        raise MemqError(ErrorCode.MISSING, "must not be empty", field="memory_ids")
    if body.filter is not None and parse_filter(body.filter) is None:
        # An empty filter would select the whole project: never a delete by accident.
        raise MemqError(ErrorCode.MISSING, "must not be empty", field="filter")
    return ok(await queue.call("query.delete_memory", caller.project, body.model_dump(),
                               request_id=request.state.request_id))


@router.post("/get/message", response_model=Envelope, responses=ERRORS)
async def get_message(body: GetMessageRequest, caller: Caller = Depends(authenticate)):
    _required(body.user_id, "user_id")
    _required(body.conversation_id, "conversation_id")
    limit = body.message_limit_number or 6
    scope = user_scope(caller.project, body.user_id)
    async with redis_errors("the message store is unreachable"):
        raw = await client().lrange(keys.conversation_messages(scope, body.conversation_id), -limit, -1)
    messages = []
    for item in raw:
        m = json.loads(item)
        messages.append({"role": m["role"], "content": m["content"], "chat_time": m["chat_time"],
                         "create_time": m["create_time"], "message_index": m["message_index"]})
    return ok({"message_detail_list": messages})


@router.get("/quota", response_model=Envelope, responses=ERRORS)
async def quota(caller: Caller = Depends(authenticate)):
    async with redis_errors():
        state = await charge(caller.key_hash, 0, caller.quota_tokens)
    settings = get_settings()
    return ok({"project": caller.project, "used": state.used, "limit": state.limit, "remaining": state.remaining,
               "window_seconds": settings.quota_window_seconds, "reset": int(state.reset_at),
               "max_request_tokens": settings.max_request_tokens, "max_messages": settings.max_messages,
               "max_content_chars": settings.max_content_chars}, headers=state.headers())
