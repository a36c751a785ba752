"""Business error codes of the OpenMem v1 contract, and the one exception type that carries them.

Every failure a client can see is a MemqError: the API's handler turns it into the envelope
`{"code", "message", "data": null}` with the code's HTTP status, and a failed task stores
its `{code, message}` for get/status."""
from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    INVALID = 40000  # bad JSON, wrong type/shape, unknown role, bad chat_time, bad filter
    MISSING = 40002  # a required field missing or empty
    USER_ID_TOO_LONG = 40010
    CONVERSATION_ID_TOO_LONG = 40011
    MESSAGES_TOO_LARGE = 40013
    NO_API_KEY = 40100
    BAD_API_KEY = 40132
    REQUEST_TOKENS = 40305
    MEMORY_NOT_FOUND = 40307
    QUOTA_EXCEEDED = 40309
    INTERNAL = 50000
    TASK_NOT_FOUND = 50131
    EMBEDDING_FAILED = 50141
    EXTRACTION_FAILED = 50142
    MEMORY_WRITE_FAILED = 50143
    NOT_ACCEPTED = 50144

    @property
    def http_status(self) -> int:
        return _HTTP_STATUS[self]


_HTTP_STATUS = {
    ErrorCode.INVALID: 400,
    ErrorCode.MISSING: 400,
    ErrorCode.USER_ID_TOO_LONG: 400,
    ErrorCode.CONVERSATION_ID_TOO_LONG: 400,
    ErrorCode.MESSAGES_TOO_LARGE: 413,
    ErrorCode.NO_API_KEY: 401,
    ErrorCode.BAD_API_KEY: 401,
    ErrorCode.REQUEST_TOKENS: 413,
    ErrorCode.MEMORY_NOT_FOUND: 404,
    ErrorCode.QUOTA_EXCEEDED: 429,
    ErrorCode.INTERNAL: 500,
    ErrorCode.TASK_NOT_FOUND: 404,
    ErrorCode.EMBEDDING_FAILED: 500,
    ErrorCode.EXTRACTION_FAILED: 500,
    ErrorCode.MEMORY_WRITE_FAILED: 500,
    ErrorCode.NOT_ACCEPTED: 503,
}


class MemqError(Exception):
    """A failure with a business code. `field` is the offending field path, when there is one."""

    def __init__(self, code: ErrorCode, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.field = field
        self.headers = headers or {}
        self.status = status or code.http_status  # an override only where the code's own status misleads

    @property
    def message(self) -> str:
        text = str(self.args[0])
        return f"{self.field}: {text}" if self.field and not text.startswith(self.field) else text

    def as_dict(self) -> dict:
        return {"code": int(self.code), "message": self.message}


class TransientError(Exception):
    """A failure worth retrying (LLM 429/5xx/timeouts, a store blip). The task layer retries
    these with backoff; everything else fails the task at once."""
