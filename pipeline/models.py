"""The domain's data: a batch of messages as accepted, the memories derived from it, and the
plan that conflict resolution makes. Plain pydantic models, serialised between stages as JSON."""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["user", "assistant", "system", "tool"]
MemoryKind = Literal["fact", "preference", "tool", "raw"]
InfoValue = str | int | float | bool | list[str]

# All memory ids are uuid5 under this namespace: the same memory derived twice gets the same id,
# so a redelivered stage overwrites instead of duplicating.
MEMQ_NAMESPACE = uuid.UUID("6f1c3a52-9d1e-4b7e-9a1f-3c2d5e7f8a90")


class Message(BaseModel):
    role: Role
    content: str
    chat_time: datetime  # timezone-aware
    message_index: int  # 0-based position in its conversation, across adds
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    name: str | None = None


class Batch(BaseModel):
    """One accepted add/message request, as the workers see it."""

    task_id: str
    project: str
    user_id: str
    conversation_id: str
    messages: list[Message]
    agent_id: str | None = None
    app_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    info: dict[str, InfoValue] = Field(default_factory=dict)
    accepted_at: float  # epoch seconds
    request_id: str | None = None
    # What the conversation's last message before this batch (an earlier add) said, when it was a
    # user or assistant turn: the first message may reply to it. Filled in by the extract stage from
    # the conversation's message list; not part of the accepted batch.
    previous_turn: str = ""


class Source(BaseModel):
    conversation_id: str
    message_index: int
    role: Role
    chat_time: str
    content: str


class Part(BaseModel):
    """One independent clause of a compound fact ("The user has a cat named Oliver" of "...and
    drives a Prius"), with its own conflict hints: when a later statement replaces or ends another
    clause, this one stays current (see pipeline.stages.resolve)."""

    text: str
    slot: str | None = None
    ends: list[str] = Field(default_factory=list)


class Candidate(BaseModel):
    """A memory proposed by an extractor, before dedupe and conflict resolution."""

    kind: MemoryKind
    text: str  # memory_value / preference / tool_value
    key: str = ""  # memory_key: a short title
    sources: list[Source]
    said_at: float  # epoch ms of the newest source message
    confidence: float = 0.9
    tags: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    # preference memories
    preference_type: Literal["explicit_preference", "implicit_preference"] | None = None
    reasoning: str | None = None
    # tool memories
    tool_type: Literal["ToolSchemaMemory", "ToolTrajectoryMemory"] | None = None
    tool_used_status: Literal["success", "failed"] | None = None
    experience: str | None = None
    # a conflict hint from the extractor: the subject this statement sets ("residence", "diet")
    slot: str | None = None
    # another: old values this statement says are over or wrong ("I sold my Civic": ["Civic"]);
    # see pipeline.extract.endings
    ends: list[str] = Field(default_factory=list)
    # a compound fact's independent clauses, with their own conflict hints: kept with the compound,
    # they become facts of their own only when a change to another clause archives it (empty for a
    # simple fact)
    parts: list[Part] = Field(default_factory=list)
    # the end of the turn this memory's message replies to: indexed for keyword search, never shown
    reply_to: str = ""


class Embedded(BaseModel):
    candidate: Candidate
    dense: list[float]


class StoredMemory(BaseModel):
    """A memory as it lives in the vector store's payload."""

    id: str
    project: str
    user_id: str
    kind: MemoryKind
    text: str
    key: str = ""
    status: Literal["activated", "archived"] = "activated"
    create_time: int  # epoch ms: when it was first said (see stages/resolve._new_memory)
    update_time: int
    # When it was last said: a statement merged into it re-affirms it, and the statements on a slot
    # are ordered by this. When it was first said is kept for display (None: the same time).
    said_at: float
    first_said_at: float | None = None
    conversation_id: str
    agent_id: str | None = None
    app_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    info: dict[str, InfoValue] = Field(default_factory=dict)
    sources: list[Source] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    confidence: float = 0.9
    preference_type: str | None = None
    reasoning: str | None = None
    tool_type: str | None = None
    tool_used_status: str | None = None
    experience: str | None = None
    slot: str | None = None
    ends: list[str] = Field(default_factory=list)  # see Candidate.ends: kept to end what arrives after it
    parts: list[Part] = Field(default_factory=list)  # see Candidate.parts
    reply_to: str = ""  # see Candidate.reply_to
    valid_to: int | None = None
    superseded_by: str | None = None
    supersedes: list[str] = Field(default_factory=list)
    history: list[dict[str, Any]] = Field(default_factory=list)  # earlier versions
    task_ids: list[str] = Field(default_factory=list)

    @property
    def first_said(self) -> float:
        """When it was first said (`said_at` is when it was last said)."""
        return self.said_at if self.first_said_at is None else self.first_said_at


class WritePlan(BaseModel):
    """What conflict resolution decided for one batch: applied as one write."""

    add: list[StoredMemory] = Field(default_factory=list)
    add_vectors: dict[str, list[float]] = Field(default_factory=dict)
    merge: dict[str, list[Source]] = Field(default_factory=dict)  # existing id -> sources to add
    merge_said_at: dict[str, list[float]] = Field(default_factory=dict)  # existing id -> when those were said
    archive: dict[str, str] = Field(default_factory=dict)  # old id -> id that supersedes it
    unchanged: list[str] = Field(default_factory=list)
    input_tokens: int = 0  # the LLM tokens the decision cost (the Claude resolver's call)
    output_tokens: int = 0


class MemoryViews(BaseModel):
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    memory_ids: dict[str, list[str]] = Field(
        default_factory=lambda: {"added": [], "updated": [], "deleted": []}
    )


_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-case, single-spaced, without trailing punctuation: the key for exact dedupe."""
    return _SPACE.sub(" ", text.strip().lower()).rstrip(".!?;, ")


def memory_id(project: str, user_id: str, kind: str, text: str) -> str:
    return str(uuid.uuid5(MEMQ_NAMESPACE, f"{project}\x1f{user_id}\x1f{kind}\x1f{normalise(text)}"))


def user_scope(project: str, user_id: str) -> str:
    """A short, collision-free name for (project, user) in storage keys: user ids may hold any
    character, so they are never spliced into keys directly."""
    return uuid.uuid5(MEMQ_NAMESPACE, f"{project}\x1f{user_id}").hex
