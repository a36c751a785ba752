"""Typed responses of the memq clients: the envelope, and a model per endpoint's `data`.
Extra fields are kept, and item access (`m["memory_value"]`) works as on the plain dicts the
MemOS SDK hands out."""
from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Discriminator, PrivateAttr, Tag


class _Model(BaseModel):
    """Attribute access is typed; item access (`m["memory_value"]`, `m.get(...)`) keeps working
    for code written against plain dicts."""

    model_config = ConfigDict(extra="allow")

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def __contains__(self, name: str) -> bool:
        return name in self.model_fields_set or name in (self.model_extra or {})

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)


class Source(_Model):
    conversation_id: str | None = None
    message_index: int | None = None
    role: str | None = None
    chat_time: Any = None
    content: str | None = None


class _MemoryBase(_Model):
    id: str
    create_time: int | None = None
    update_time: int | None = None
    conversation_id: str | None = None
    status: str | None = None
    tags: list[str] = []
    info: dict[str, Any] = {}
    agent_id: str | None = None
    app_id: str | None = None
    relativity: float | None = None
    sources: list[Source] = []
    history: list[dict[str, Any]] | None = None  # GET /get/memory/{id} only


class FactMemory(_MemoryBase):
    memory_key: str | None = None
    memory_value: str = ""
    memory_type: str | None = None
    confidence: float | None = None


class PreferenceMemory(_MemoryBase):
    preference: str = ""
    preference_type: str | None = None
    reasoning: str | None = None


class ToolMemory(_MemoryBase):
    tool_type: str | None = None
    tool_value: str = ""
    tool_used_status: Any = None
    experience: Any = None


def _memory_kind(value: Any) -> str:
    keys = value if isinstance(value, dict) else vars(value)
    return "preference" if "preference" in keys else "tool" if "tool_type" in keys else "fact"


AnyMemory = Annotated[Union[Annotated[FactMemory, Tag("fact")], Annotated[PreferenceMemory, Tag("preference")],
                            Annotated[ToolMemory, Tag("tool")]], Discriminator(_memory_kind)]


class MemoryViews(_Model):
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    memory_ids: dict[str, list[str]] = {}


class AddData(_Model):
    success: bool
    task_id: str
    status: str
    memory_views: MemoryViews | None = None


class TaskData(_Model):
    task_id: str
    status: str
    memory_views: MemoryViews | None = None
    error: dict | None = None


class SearchData(_Model):
    memory_detail_list: list[FactMemory] = []
    preference_detail_list: list[PreferenceMemory] = []
    tool_memory_detail_list: list[ToolMemory] = []
    preference_note: str = ""


class MemoryPage(SearchData):
    total: int = 0
    size: int = 10
    current: int = 1
    pages: int = 0


class Message(_Model):
    role: str
    content: Any = None
    chat_time: Any = None
    create_time: int | None = None
    message_index: int | None = None


class MessageData(_Model):
    message_detail_list: list[Message] = []


class UpdateData(_Model):
    success: bool


class DeleteData(_Model):
    success: bool
    deleted: int = 0


class QuotaData(_Model):
    project: str | None = None
    used: int
    limit: int
    remaining: int
    window_seconds: int
    reset: int
    max_request_tokens: int
    max_messages: int
    max_content_chars: int


class Response(_Model):
    code: int
    message: str
    data: Any = None
    _headers: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        """The HTTP headers of the answer (lower-case names): X-RateLimit-*, Idempotent-Replayed."""
        return self._headers


def _typed(data_model: Any, name: str) -> type[Response]:
    return type(f"{name}Response", (Response,), {"__annotations__": {"data": data_model | None},
                                                 "__module__": __name__})


AddResponse, TaskResponse, SearchResponse = _typed(AddData, "Add"), _typed(TaskData, "Task"), _typed(SearchData, "Search")
MemoryPageResponse, MessageResponse = _typed(MemoryPage, "MemoryPage"), _typed(MessageData, "Message")
MemoryResponse, UpdateResponse = _typed(AnyMemory, "Memory"), _typed(UpdateData, "Update")
DeleteResponse, QuotaResponse = _typed(DeleteData, "Delete"), _typed(QuotaData, "Quota")
