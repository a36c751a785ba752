"""The Claude extractor, used when ANTHROPIC_API_KEY is set: one tool-use call per batch.
The client and the tool call (`client_for`, `call_tool`) are shared with the Claude resolver.

The model reads the batch's messages, numbered, each with its speaker and chat_time, and must
call the `record_memories` tool; its input is validated with pydantic. Messages are referred to
by their small position number, never by ids. Tool memories and the raw-message layer come
from the same deterministic rules as offline (they need no judgement), so an LLM miss never
loses what was said.

Failures are classified by type and status, never by message text:
- 429, 408, 5xx, timeouts and connection errors -> TransientError (the task layer retries);
- any other API error, or an answer that does not validate -> MemqError(EXTRACTION_FAILED),
  a failed stage with its reason (never "nothing found")."""
from __future__ import annotations

import json
from typing import Literal, TypeVar

import anthropic
from pydantic import BaseModel, Field, ValidationError

from memq.errors import ErrorCode, MemqError, TransientError
from memq.settings import Settings
from pipeline.chat_time import epoch_ms, format_chat_time
from pipeline.extract import Extraction
from pipeline.extract.common import finish, passthrough, source_of, speaker_and_text
from pipeline.models import Batch, Candidate

TOOL_NAME = "record_memories"
MAX_OUTPUT_TOKENS = 4096
PREVIOUS_TURN_CHARS = 1000  # the end of the turn before the batch: where its question is
RETRYABLE_STATUS = {408, 409, 429}

SYSTEM = """You extract long-term memories about the user from a conversation, for a memory service.
Call the record_memories tool exactly once. Rules:
- Facts: self-contained, third-person statements about the user (use the speaker's name when the
  message starts with "Name:", else "The user"), that still make sense months later.
- Resolve pronouns and relative times ("yesterday", "last week", "next month") against the chat_time
  of the message that says them, and write the resulting date ("on 7 May 2023", "in June 2023").
- A user's questions and requests tell facts too: what they own or use ("a case for my Godox V1
  flash" -> "The user has a Godox V1 flash."), plan or are doing.
- Only what the user says is about the user. Never attribute the assistant's statements, suggestions
  or questions to the user.
- Preferences: explicit ("I like spicy food") and implicit (a choice that reveals a taste), each
  with a short reasoning.
- slot: for statements that can be superseded later, a short subject such as "residence", "job",
  "diet", "relationship", or "pref:<thing>"; empty otherwise.
- messages: the numbers of the messages the memory comes from (at least one user message).
- tags: short topic words; prefer the caller's tags when they fit. entities: people, places,
  organisations and dates mentioned.
Record nothing for greetings and small talk. Keep each memory to one sentence."""


class LlmMemory(BaseModel):
    kind: Literal["fact", "preference"]
    text: str = Field(min_length=1, max_length=2000)
    messages: list[int] = Field(min_length=1)
    key: str = ""
    preference_type: Literal["explicit_preference", "implicit_preference"] | None = None
    reasoning: str | None = None
    slot: str | None = None
    tags: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    confidence: float = Field(default=0.9, ge=0.0, le=1.0)


class LlmAnswer(BaseModel):
    memories: list[LlmMemory]


Answer = TypeVar("Answer", bound=BaseModel)


def transcript(batch: Batch) -> str:
    lines = []
    for n, message in enumerate(batch.messages):
        if message.role not in ("user", "assistant") or not message.content.strip():
            continue
        lines.append(f"[{n}] ({message.role}, {format_chat_time(message.chat_time)}) {message.content.strip()}")
    return "\n".join(lines)


def classify(exc: anthropic.APIError) -> Exception:
    """The exception the task layer should see for an API failure."""
    if isinstance(exc, (anthropic.APITimeoutError, anthropic.APIConnectionError)):
        return TransientError(f"Claude API unreachable: {type(exc).__name__}")
    status = getattr(exc, "status_code", None)
    if status is not None and (status in RETRYABLE_STATUS or status >= 500):
        return TransientError(f"Claude API answered HTTP {status}")
    return MemqError(ErrorCode.EXTRACTION_FAILED, f"Claude API error HTTP {status}: {type(exc).__name__}")


def client_for(settings: Settings) -> anthropic.Anthropic:
    # max_retries=0: retries live in one layer, the task layer, with backoff and jitter.
    return anthropic.Anthropic(api_key=settings.anthropic_api_key, base_url=settings.anthropic_base_url,
                               timeout=settings.llm_timeout_seconds, max_retries=0)


def malformed(where: str, why: str) -> MemqError:
    return MemqError(ErrorCode.EXTRACTION_FAILED, f"malformed Claude answer at {where}: {why}")


def call_tool(client: anthropic.Anthropic, model: str, system: str, prompt: str, tool_name: str,
              description: str, answer: type[Answer]) -> tuple[Answer, tuple[int, int]]:
    """One forced tool-use call whose input must validate as `answer` (also the tool's
    input_schema); returns it with (input tokens, output tokens)."""
    tool = {"name": tool_name, "description": description, "input_schema": answer.model_json_schema()}
    try:
        response = client.messages.create(
            model=model, max_tokens=MAX_OUTPUT_TOKENS, system=system, tools=[tool],
            tool_choice={"type": "tool", "name": tool_name}, messages=[{"role": "user", "content": prompt}])
    except anthropic.APIError as exc:
        raise classify(exc) from exc
    usage = (response.usage.input_tokens, response.usage.output_tokens) if response.usage else (0, 0)
    calls = [b for b in response.content if b.type == "tool_use" and b.name == tool_name]
    if not calls:
        raise MemqError(ErrorCode.EXTRACTION_FAILED,
                        f"malformed Claude answer: no {tool_name} call (stop_reason {response.stop_reason})")
    try:
        return answer.model_validate(calls[0].input), usage
    except ValidationError as exc:
        first = exc.errors()[0]
        raise malformed(".".join(str(p) for p in first["loc"]), first["msg"]) from exc


class ClaudeExtractor:
    name = "claude"

    def __init__(self, settings: Settings, client: anthropic.Anthropic | None = None):
        self.model = settings.llm_model
        self.client = client or client_for(settings)

    def extract(self, batch: Batch) -> Extraction:
        text = transcript(batch)
        found: list[Candidate] = []
        usage = (0, 0)
        if any(m.role == "user" and m.content.strip() for m in batch.messages):
            before = ""
            if batch.previous_turn:  # a reply added on its own ("It was Matt Patterson!") needs what it answers
                before = (f"The conversation's turn before these messages (context only, not a source):\n"
                          f"{batch.previous_turn.strip()[-PREVIOUS_TURN_CHARS:]}\n\n")
            prompt = (f"Caller tags: {json.dumps(batch.tags)}\n\n{before}"
                      f"Conversation (message number, role, chat_time):\n{text}")
            answer, usage = call_tool(self.client, self.model, SYSTEM, prompt, TOOL_NAME,
                                      "Record the memories extracted from the conversation.", LlmAnswer)
            found = self._candidates(batch, answer)
        found += passthrough(batch)
        finish(found, batch)
        return Extraction(candidates=found, extractor=f"{self.name}:{self.model}",
                          input_tokens=usage[0], output_tokens=usage[1])

    def _candidates(self, batch: Batch, answer: LlmAnswer) -> list[Candidate]:
        out = []
        for n, memory in enumerate(answer.memories):
            bad = [i for i in memory.messages if not 0 <= i < len(batch.messages)]
            if bad:
                raise malformed(f"memories.{n}.messages", f"no message {bad[0]}")
            cited = [batch.messages[i] for i in dict.fromkeys(memory.messages)]
            if not any(m.role == "user" for m in cited):
                continue  # only the user's own words make a memory about the user
            newest = max(m.chat_time for m in cited)
            out.append(Candidate(
                kind=memory.kind, text=memory.text.strip(), key=memory.key or _key_of(batch, cited[0]),
                sources=[source_of(batch, m) for m in cited], said_at=epoch_ms(newest),
                confidence=memory.confidence, tags=memory.tags, entities=memory.entities,
                preference_type=(memory.preference_type or "explicit_preference") if memory.kind == "preference"
                else None, reasoning=memory.reasoning, slot=memory.slot or None))
        return out


def _key_of(batch: Batch, message) -> str:
    speaker, text = speaker_and_text(message, "user")
    return " ".join(text.split()[:6])
