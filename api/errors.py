"""One handler turns every failure into the envelope: MemqError with its code and HTTP status,
FastAPI's validation errors mapped to 40000/40002 naming the field path (`messages[3].role`),
and anything unexpected into 50000 with the request id (a bug: bad input never gets here)."""
from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from memq.errors import ErrorCode, MemqError

log = structlog.get_logger("memq.api")

# Top-level fields whose absence or emptiness is 40002 rather than 40000.
REQUIRED_FIELDS = {"user_id", "conversation_id", "messages", "query", "task_id", "memory_id"}
EMPTY_TYPES = {"missing", "string_too_short", "too_short"}


def field_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        if part == "body" and not path:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def envelope_error(code: ErrorCode, message: str, status: int | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": int(code), "message": message, "data": None},
                        status_code=status or code.http_status, headers=headers)


def validation_to_memq(errors: list[dict]) -> MemqError:
    def rank(err):  # report a missing required field before a type error elsewhere
        loc = [p for p in err["loc"] if p != "body"]
        return (0 if len(loc) == 1 and loc[0] in REQUIRED_FIELDS and err["type"] in EMPTY_TYPES else 1)

    first = sorted(errors, key=rank)[0]
    loc = tuple(first["loc"])
    path = field_path(loc)
    kind = first["type"]
    if kind == "json_invalid":
        return MemqError(ErrorCode.INVALID, "the request body is not valid JSON", field="body")
    if kind == "missing" and path == "":
        return MemqError(ErrorCode.MISSING, "the request body is missing", field="body")
    if path in REQUIRED_FIELDS and (kind in EMPTY_TYPES or first.get("input", "") is None):  # null is missing too
        return MemqError(ErrorCode.MISSING, "is required and must not be empty", field=path)
    if kind == "model_attributes_type" and path == "":
        return MemqError(ErrorCode.INVALID, "the request body must be a JSON object", field="body")
    message = first.get("msg", "is invalid").removeprefix("Value error, ")
    return MemqError(ErrorCode.INVALID, message, field=path or "body")


def install(app: FastAPI) -> None:
    @app.exception_handler(MemqError)
    async def _memq(request: Request, exc: MemqError):
        return envelope_error(exc.code, exc.message, status=exc.status, headers=exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        err = validation_to_memq(list(exc.errors()))
        return envelope_error(err.code, err.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = ErrorCode.INVALID if exc.status_code < 500 else ErrorCode.INTERNAL
        return envelope_error(code, str(exc.detail), status=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        request_id = getattr(request.state, "request_id", "-")
        log.exception("api.unexpected", path=request.url.path)
        return envelope_error(ErrorCode.INTERNAL, f"internal error (request id {request_id})")
