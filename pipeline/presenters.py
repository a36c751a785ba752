"""Stored memories in the MemOS cloud's response shapes (the MemOS SDK validates them with
pydantic models, so names and types matter)."""
from __future__ import annotations

from pipeline.models import StoredMemory


def preference_note(prefs: list[StoredMemory]) -> str:
    if not prefs:
        return ""
    lines = "\n".join(f"- {m.text}" for m in prefs)
    return ("The user's known preferences, most relevant first. Honour explicit ones; treat implicit "
            f"ones as hints:\n{lines}")


def present(memory: StoredMemory, relativity: float | None = None) -> dict:
    """A stored memory in the MemOS cloud's shape for its kind."""
    common = {
        "id": memory.id, "create_time": memory.create_time, "update_time": memory.update_time,
        "conversation_id": memory.conversation_id, "status": memory.status, "tags": memory.tags,
        "info": memory.info, "agent_id": memory.agent_id, "app_id": memory.app_id,
        "sources": [s.model_dump() for s in memory.sources], "said_time": int(memory.first_said),
    }
    if relativity is not None:
        common["relativity"] = relativity
    if memory.status == "archived":
        common.update(valid_to=memory.valid_to, superseded_by=memory.superseded_by)
    if memory.kind == "preference":
        return {**common, "preference": memory.text, "preference_type": memory.preference_type,
                "reasoning": memory.reasoning or ""}
    if memory.kind == "tool":
        return {**common, "tool_type": memory.tool_type, "tool_value": memory.text,
                "tool_used_status": memory.tool_used_status, "experience": memory.experience}
    return {**common, "memory_key": memory.key, "memory_value": memory.text,
            "memory_type": "RawMessageMemory" if memory.kind == "raw" else "LongTermMemory",
            "confidence": memory.confidence, "entities": memory.entities}


def version(memory: StoredMemory) -> dict:
    """One entry of a memory's `history`: an earlier text, or a memory it superseded."""
    return {"id": memory.id, "memory_value": memory.text, "status": memory.status,
            "update_time": memory.update_time, "valid_to": memory.valid_to, "superseded_by": memory.superseded_by}
