"""Tool memories, from an assistant's `tool_calls` (OpenAI shape) and the tool results that
answer them. Deterministic rules: both extractors use them, since they need no judgement.

- ToolSchemaMemory: one per tool the assistant called: its name and the arguments it takes.
- ToolTrajectoryMemory: one per tool result: what was called with what, what came back, and
  whether it worked (`tool_used_status`), with the lesson in `experience`."""
from __future__ import annotations

import json
import re
from typing import Any

from pipeline.chat_time import epoch_ms
from pipeline.models import Batch, Candidate, Message, Source

# A result that reports a failure. Checked on the tool's own output, not on an error type:
# tools answer in free text or JSON, and this is the only signal they share.
FAILURE = re.compile(r"\b(error|errors|failed|failure|exception|timed? ?out|not found|denied|invalid|"
                     r"unauthori[sz]ed|forbidden|unavailable|refused)\b|\"status\"\s*:\s*\"?(4\d\d|5\d\d|error)",
                     re.IGNORECASE)
RESULT_CHARS = 300


def _call_parts(call: dict[str, Any]) -> tuple[str, str, list[str]]:
    """(name, arguments as JSON text, argument names) of one tool call."""
    fn = call.get("function") or {}
    name = fn.get("name") or call.get("name") or "tool"
    raw = fn.get("arguments", call.get("arguments"))
    if isinstance(raw, str):
        text = raw
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
    else:
        parsed = raw or {}
        text = json.dumps(parsed, ensure_ascii=False, sort_keys=True)
    names = sorted(parsed) if isinstance(parsed, dict) else []
    return name, text, names


def schema_candidates(batch: Batch, message: Message, source: Source) -> list[Candidate]:
    found = []
    for call in message.tool_calls or []:
        name, _, arg_names = _call_parts(call)
        params = ", ".join(arg_names) if arg_names else "no named arguments"
        found.append(Candidate(kind="tool", text=f"Tool {name} takes {params}.", key=name, sources=[source],
                               said_at=epoch_ms(message.chat_time), tool_type="ToolSchemaMemory",
                               entities=[name]))
    return found


def _matching_call(batch: Batch, message: Message, position: int) -> dict[str, Any] | None:
    """The call this result answers: by tool_call_id, else the nearest earlier call."""
    for earlier in reversed(batch.messages[:position]):
        for call in reversed(earlier.tool_calls or []):
            if not message.tool_call_id or call.get("id") == message.tool_call_id:
                return call
    return None


def trajectory_candidate(batch: Batch, message: Message, position: int, sources: list[Source]) -> Candidate:
    call = _matching_call(batch, message, position)
    name, args, _ = _call_parts(call) if call else (message.name or "tool", "", [])
    result = " ".join(message.content.split())[:RESULT_CHARS]
    failed = bool(FAILURE.search(message.content))
    experience = (f"Calling {name} with {args or 'no arguments'} failed: {result}" if failed
                  else f"Calling {name} with {args or 'no arguments'} worked.")
    return Candidate(kind="tool", text=f"{name}({args}) returned: {result}", key=name, sources=sources,
                     said_at=epoch_ms(message.chat_time), tool_type="ToolTrajectoryMemory",
                     tool_used_status="failed" if failed else "success", experience=experience, entities=[name])
