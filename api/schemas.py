"""Request bodies of the OpenMem v1 API. Unknown fields are accepted and ignored (the MemOS SDK
sends fields memq does not use), and optional fields may be null. Length limits and emptiness
are checked by the handlers, so each maps to its own business code."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from pipeline.chat_time import parse_chat_time

InfoValue = str | int | float | bool | list[str]


def _lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in a parsed JSON value holds a lone surrogate ("\\ud800"): JSON
    allows one, but it is no text, and UTF-8 (Redis, the tokenizer, the engines) refuses it. A walk
    with its own stack, so that no nesting depth can exhaust Python's."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode()
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack += item.keys()
            stack += item.values()
        elif isinstance(item, (list, tuple)):
            stack += item
    return False


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _valid_unicode(cls, value: Any) -> Any:
        # every field of every body, here once: bad text is a 40000 naming its field at the door,
        # not a task that fails later or a 500
        if _lone_surrogate(value):
            raise ValueError("is not valid Unicode text (a lone surrogate)")
        return value


class MessageIn(_Body):
    role: Literal["user", "assistant", "system", "tool"]
    content: Any = Field(description="A string, or a list of parts of which `text` parts are read.")
    chat_time: Any = Field(default=None, description="'YYYY-MM-DD HH:MM:SS', ISO-8601, or epoch s/ms. "
                                                     "No offset means Beijing time; missing means now.")
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    name: str | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _content_text(cls, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            texts = []
            for part in value:
                if isinstance(part, str):
                    texts.append(part)
                elif isinstance(part, dict) and isinstance(part.get("text"), str):
                    texts.append(part["text"])
                elif not isinstance(part, dict):
                    raise ValueError("content parts must be objects like {\"type\": \"text\", \"text\": \"...\"}")
            return "\n".join(texts)
        raise ValueError("content must be a string or a list of text parts")

    @field_validator("chat_time", mode="before")
    @classmethod
    def _chat_time(cls, value: Any) -> datetime | None:
        if value is None or value == "":
            return None
        return parse_chat_time(value)


class AddMessageRequest(_Body):
    user_id: str
    conversation_id: str
    messages: list[MessageIn]
    agent_id: str | None = None
    app_id: str | None = None
    tags: list[str] | None = None
    info: dict[str, InfoValue] | None = None
    # The MemOS SDK sends `asyncMode`; the HTTP docs say `async_mode`. Both are read.
    async_mode: bool | None = Field(default=True, validation_alias=AliasChoices("async_mode", "asyncMode"))


class TaskStatusRequest(_Body):
    task_id: str


class SearchMemoryRequest(_Body):
    user_id: str
    query: str
    filter: dict[str, Any] | None = None
    conversation_id: str | None = None
    memory_limit_number: int | None = Field(default=9, ge=0, le=25)
    include_preference: bool | None = True
    preference_limit_number: int | None = Field(default=9, ge=0, le=25)
    include_tool_memory: bool | None = False
    tool_memory_limit_number: int | None = Field(default=6, ge=0, le=25)
    relativity: float | None = Field(default=0.0, ge=0.0, le=1.0)


class GetMemoryRequest(_Body):
    user_id: str
    page: int | None = Field(default=1, ge=1)
    size: int | None = Field(default=10, ge=1, le=50)
    filter: dict[str, Any] | None = None
    include_preference: bool | None = True
    include_tool_memory: bool | None = False


class UpdateMemoryRequest(_Body):
    memory_id: str
    content: str | None = None
    status: Literal["activated", "archived"] | None = None


class DeleteMemoryRequest(_Body):
    memory_ids: list[str] | None = None
    user_id: str | None = None
    agent_id: str | None = None
    filter: dict[str, Any] | None = None


class GetMessageRequest(_Body):
    user_id: str
    conversation_id: str
    message_limit_number: int | None = Field(default=6, ge=1, le=50)


class Envelope(BaseModel):
    code: int = 0
    message: str = "ok"
    data: Any = None
