"""Splitting a conversation into add/message requests the server accepts: at most
`max_messages` messages and `max_content_chars` characters (40013) and `max_request_tokens`
tokens (40305) each, counted the way the server counts them. A message is never cut; order and
chat_time are kept. A single message over a limit goes alone, and the server's refusal of it is
reported as a rejected item.

Every chunk gets a deterministic Idempotency-Key from its request body and its position in the
conversation, so a rerun of the same import sends nothing twice: the server answers a known key
with the original task_id and writes nothing new."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from api.schemas import MessageIn
from memq.tokens import MESSAGE_OVERHEAD, count_text_tokens

KEY_PREFIX = "memq-import-"


@dataclass(frozen=True)
class Limits:
    max_messages: int
    max_content_chars: int
    max_request_tokens: int


@dataclass
class Chunk:
    body: dict[str, Any]  # the add/message body
    start: int  # index of its first message in the conversation
    tokens: int
    key: str  # the Idempotency-Key

    @property
    def size(self) -> int:
        return len(self.body["messages"])


def message_cost(message: dict[str, Any]) -> tuple[int, int]:
    """(characters, tokens) of one message, as the server's check_limits counts them."""
    try:
        text = MessageIn._content_text(message.get("content"))
    except ValueError:
        text = ""  # a malformed content: the server rejects it with its own code
    return len(text), count_text_tokens(text) + MESSAGE_OVERHEAD


def split_messages(messages: list[dict[str, Any]], limits: Limits) -> list[list[dict[str, Any]]]:
    """Greedy split in order: a request is closed when the next message would break a limit."""
    groups: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    chars = tokens = 0
    for message in messages:
        m_chars, m_tokens = message_cost(message)
        fits = (len(current) < limits.max_messages and chars + m_chars <= limits.max_content_chars
                and tokens + m_tokens <= limits.max_request_tokens)
        if current and not fits:
            groups.append(current)
            current, chars, tokens = [], 0, 0
        current.append(message)
        chars, tokens = chars + m_chars, tokens + m_tokens
    if current:
        groups.append(current)
    return groups


def idempotency_key(body: dict[str, Any], start: int) -> str:
    canonical = json.dumps([start, body], sort_keys=True, ensure_ascii=False, default=str)
    return KEY_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def chunk_conversation(header: dict[str, Any], messages: list[dict[str, Any]], limits: Limits) -> list[Chunk]:
    """`header` is the body without messages (user_id, conversation_id, agent_id, tags, ...)."""
    chunks, start = [], 0
    for group in split_messages(messages, limits):
        body = {**header, "messages": group}
        tokens = sum(message_cost(m)[1] for m in group)
        chunks.append(Chunk(body, start, tokens, idempotency_key(body, start)))
        start += len(group)
    return chunks
