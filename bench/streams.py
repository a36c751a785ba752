"""The message streams `make bench` replays, as add/message requests:
- chitchat: real chats with real users and timestamps (the `chitchat-dataset` PyPI package). It is
  read by the bench venv's Python (bench/venv.py), never imported by memq, and cached as JSON;
- LoCoMo: the long multi-session conversations under ../shared/data, one request per session.
A request is {"user_id", "conversation_id", "messages": [{role, content, chat_time}]}."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

from bench.venv import CACHE, bench_python

LOCOMO = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo" / "locomo_dev.json"
CHUNK = 8  # messages per request: a chat backend flushing every few turns

# Run inside the bench venv: chitchat_dataset's conversations as plain JSON on stdout.
_EXPORT = r"""
import json, sys
import chitchat_dataset as ccc
limit = int(sys.argv[1])
out, total = [], 0
for convo_id, convo in ccc.Dataset().items():
    turns = []
    for message_group in convo["messages"]:
        for m in message_group:
            turns.append({"sender": m["sender"], "text": m["text"], "timestamp": m["timestamp"]})
    if len(turns) < 4:
        continue
    out.append({"id": convo_id, "turns": turns})
    total += len(turns)
    if total >= limit:
        break
json.dump(out, sys.stdout)
"""


def chitchat(messages: int) -> list[dict]:
    cached = CACHE / f"chitchat-{messages}.json"
    if not cached.exists():
        raw = subprocess.run([bench_python(), "-c", _EXPORT, str(messages)], check=True, capture_output=True,
                             text=True).stdout
        cached.write_text(raw)
    requests = []
    for convo in json.loads(cached.read_text()):
        first = convo["turns"][0]["sender"]
        messages_ = [{"role": "user" if t["sender"] == first else "assistant", "content": t["text"],
                      "chat_time": _chitchat_time(t["timestamp"])} for t in convo["turns"] if t["text"].strip()]
        requests += _chunks(f"cc-{first[:40]}", f"cc-{convo['id'][:60]}", messages_)
    return requests


def _chitchat_time(stamp: str) -> str:
    # "2017-06-15T17:42:47.000Z" and similar: ISO-8601, which add/message accepts as is.
    return stamp.replace("Z", "+00:00") if isinstance(stamp, str) else str(stamp)


def locomo(limit: int | None = None) -> list[dict] | None:
    """One request per session chunk; the first speaker is the user. None without ../shared."""
    if not LOCOMO.exists():
        return None
    requests: list[dict] = []
    for sample in json.loads(LOCOMO.read_text()):
        convo = sample["conversation"]
        user = convo["speaker_a"]
        n = 1
        while f"session_{n}" in convo:
            when = datetime.strptime(convo[f"session_{n}_date_time"], "%I:%M %p on %d %B, %Y")
            messages = [{"role": "user" if t["speaker"] == user else "assistant",
                         "content": f"{t['speaker']}: {t['text']}", "chat_time": when.strftime("%Y-%m-%d %H:%M:%S")}
                        for t in convo[f"session_{n}"] if t.get("text", "").strip()]
            requests += _chunks(f"locomo-{sample['sample_id']}", f"s{n}", messages)
            n += 1
    return _take(requests, limit)


def _chunks(user_id: str, conversation_id: str, messages: list[dict]) -> list[dict]:
    return [{"user_id": user_id, "conversation_id": conversation_id, "messages": messages[i:i + CHUNK]}
            for i in range(0, len(messages), CHUNK)]


def _take(requests: list[dict], limit: int | None) -> list[dict]:
    if limit is None:
        return requests
    out, total = [], 0
    for r in requests:
        if total >= limit:
            break
        out.append(r)
        total += len(r["messages"])
    return out


def message_count(requests: list[dict]) -> int:
    return sum(len(r["messages"]) for r in requests)


def texts(requests: list[dict]) -> list[str]:
    return [m["content"] for r in requests for m in r["messages"]]
