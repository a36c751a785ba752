"""Readers for `memq import`: JSONL, LoCoMo and LongMemEval files (or a folder of them), each
turned into Conversations ready to be split into add/message requests.

LoCoMo and LongMemEval are mapped exactly as `make eval` (../shared/tools/memeval.py) maps them,
so that an imported benchmark is the same data the evaluation ingests:
- LoCoMo: each conversation from each speaker's side (that speaker's turns as "user", the
  other's as "assistant"), content "Name: text" with a photo's caption appended, one add per
  session with conversation_id "<sample_id>-s<n>", chat_time the session date + 30 s per turn.
- LongMemEval: a user per question (abstention questions `_abs` skipped, as the eval does), one
  add per haystack session, conversation_id the session id, chat_time its date + 30 s per turn.
The only difference: user ids carry no random run id (`<sample_id>-<speaker>`,
`lme-<question_id>`, after an optional prefix), since a resumable import must be deterministic.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from memq.errors import ErrorCode

FORMATS = ("jsonl", "locomo", "longmemeval")
TURN_SPACING = timedelta(seconds=30)
CHAT_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class Conversation:
    """One conversation to import, with where it came from (for the rejected-items report)."""

    source: str
    user_id: Any
    conversation_id: Any
    messages: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)  # agent_id, app_id, tags, info


@dataclass
class Unreadable:
    """An input item that cannot even be sent (bad JSON line, wrong shape)."""

    source: str
    code: int
    message: str


Item = Conversation | Unreadable


def read_path(path: Path, fmt: str | None = None, user_prefix: str = "") -> Iterator[Item]:
    """Every conversation under `path` (a file, or a folder read in name order)."""
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonl")) \
        if path.is_dir() else [path]
    for file in files:
        yield from read_file(file, fmt or detect_format(file), user_prefix)


def detect_format(file: Path) -> str:
    if file.suffix == ".jsonl":
        return "jsonl"
    with file.open(encoding="utf-8") as handle:
        head = handle.read(4096)
    if '"haystack_sessions"' in head or '"question_id"' in head:
        return "longmemeval"
    if '"sample_id"' in head or '"speaker_a"' in head or '"qa"' in head:
        return "locomo"
    return "json"  # a .json file of conversations as the JSONL lines hold them, in an array


def read_file(file: Path, fmt: str, user_prefix: str = "") -> Iterator[Item]:
    if fmt == "jsonl":
        yield from read_jsonl(file)
        return
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        if fmt == "json":  # not one JSON value: JSONL under another name (".json", ".ndjson", a pipe)
            yield from read_jsonl(file)
            return
        yield Unreadable(str(file), int(ErrorCode.INVALID), f"not a JSON file: {exc}")
        return
    if fmt == "json":  # [{user_id, conversation_id, messages, ...}, ...], or one such object
        for n, record in enumerate(data if isinstance(data, list) else [data]):
            yield jsonl_conversation(record, f"{file}[{n}]" if isinstance(data, list) else str(file))
        return
    if not isinstance(data, list):
        yield Unreadable(str(file), int(ErrorCode.INVALID), f"a {fmt} file is a JSON array of records")
        return
    reader = locomo_conversations if fmt == "locomo" else longmemeval_conversations
    for n, record in enumerate(data):
        try:
            yield from reader(record, f"{file}[{n}]", user_prefix)
        except (KeyError, TypeError, ValueError) as exc:
            yield Unreadable(f"{file}[{n}]", int(ErrorCode.INVALID), f"not a {fmt} record: {type(exc).__name__} {exc}")


def read_jsonl(file: Path) -> Iterator[Item]:
    with file.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            source = f"{file}:{line_no}"
            try:
                record = json.loads(line)
            except ValueError as exc:
                yield Unreadable(source, int(ErrorCode.INVALID), f"invalid JSON: {exc}")
                continue
            yield jsonl_conversation(record, source)


def jsonl_conversation(record: Any, source: str) -> Item:
    if not isinstance(record, dict):
        return Unreadable(source, int(ErrorCode.INVALID), "a line must be a JSON object")
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        code = ErrorCode.MISSING if not messages else ErrorCode.INVALID
        return Unreadable(source, int(code), "messages: must be a non-empty array of {role, content, chat_time}")
    bad = next((i for i, m in enumerate(messages) if not isinstance(m, dict)), None)
    if bad is not None:
        return Unreadable(source, int(ErrorCode.INVALID), f"messages[{bad}]: must be an object")
    extra = {k: record[k] for k in ("agent_id", "app_id", "tags", "info") if record.get(k) is not None}
    return Conversation(source, record.get("user_id"), record.get("conversation_id"), messages, extra)


# --- LoCoMo (memeval.sessions / turn_text / run_service) ---

def locomo_sessions(conv: dict) -> Iterator[tuple[int, datetime, list[dict]]]:
    c = conv["conversation"]
    names = sorted((k for k in c if re.fullmatch(r"session_\d+", k)), key=lambda k: int(k.split("_")[1]))
    for k in names:
        when = datetime.strptime(c[k + "_date_time"], "%I:%M %p on %d %B, %Y")
        yield int(k.split("_")[1]), when, c[k]


def locomo_turn_text(turn: dict) -> str:
    text = turn["text"]
    if turn.get("blip_caption"):
        text += f" [shares a photo of {turn['blip_caption']}]"
    return text


def _chat_time(start: datetime, i: int) -> str:
    return (start + TURN_SPACING * i).strftime(CHAT_TIME_FORMAT)


def locomo_conversations(conv: dict, source: str, user_prefix: str = "") -> Iterator[Conversation]:
    sample = conv["sample_id"]
    for me in (conv["conversation"]["speaker_a"], conv["conversation"]["speaker_b"]):
        for n, when, session in locomo_sessions(conv):
            messages = [{"role": "user" if t["speaker"] == me else "assistant",
                         "content": f"{t['speaker']}: {locomo_turn_text(t)}", "chat_time": _chat_time(when, i)}
                        for i, t in enumerate(session)]
            if messages:
                yield Conversation(f"{source} {me} session_{n}", f"{user_prefix}{sample}-{me}", f"{sample}-s{n}",
                                   messages)


# --- LongMemEval (memeval.lme_items / lme_date / run_lme_service) ---

def lme_date(text: str) -> datetime:
    return datetime.strptime(text.split(" (")[0] + " " + text.split(") ")[-1], "%Y/%m/%d %H:%M")


def longmemeval_conversations(rec: dict, source: str, user_prefix: str = "") -> Iterator[Conversation]:
    if rec["question_id"].endswith("_abs"):
        return
    for sid, date, session in zip(rec["haystack_session_ids"], rec["haystack_dates"], rec["haystack_sessions"]):
        when = lme_date(date)
        messages = [{"role": t["role"], "content": t["content"], "chat_time": _chat_time(when, i)}
                    for i, t in enumerate(session)]
        if messages:
            yield Conversation(f"{source} {sid}", f"{user_prefix}lme-{rec['question_id']}", sid[:100], messages)
