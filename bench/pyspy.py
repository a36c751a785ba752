"""Profiles for the README: py-spy samples a running process (no restart, no code change) and
this module folds its collapsed stacks into the few lines that say where the time goes."""
from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.venv import VENV


def record(pid: int, seconds: int, out: Path, idle: bool = False) -> subprocess.Popen:
    """Start py-spy on `pid` for `seconds` (collapsed stacks to `out`); wait() on the result."""
    cmd = [str(VENV / "bin" / "py-spy"), "record", "-p", str(pid), "-d", str(seconds), "-r", "50", "-f", "raw",
           "-o", str(out), "--nonblocking", "--subprocesses"] + (["--idle"] if idle else [])
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _frame_name(frame: str) -> str:
    # "function (path/to/module.py:123)" -> "module.py:function"
    match = re.match(r"(.*?) \((.*?):\d+\)", frame)
    if not match:
        return frame
    return f"{Path(match.group(2)).name}:{match.group(1)}"


def summarize(path: Path, marks: list[str], top: int = 12) -> dict:
    """Inclusive share of the samples under each frame whose name contains one of `marks`,
    and the top self-time frames."""
    inclusive: Counter = Counter()
    self_time: Counter = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = [_frame_name(f) for f in stack.split(";")]
        total += n
        self_time[frames[-1]] += n
        for mark in marks:
            if any(mark in f for f in frames):
                inclusive[mark] += n
    share = lambda n: round(100 * n / total, 1) if total else 0.0  # noqa: E731
    return {"samples": total, "inclusive_pct": {m: share(inclusive[m]) for m in marks},
            "self_pct": {f: share(n) for f, n in self_time.most_common(top)}}


# What the README quotes: the API's accept path, and the workers' stages.
API_MARKS = ["routes.py:add_message", "intake.py:accept", "batched_script.py", "intake.py:_batch_and_raw_messages",
             "queue.py:task_message", "auth.py:authenticate", "intake.py:check_limits", "routes.py:_json_body",
             "responses.py:Response.__call__"]
WORKER_MARKS = ["ingest.py:ingest_task", "ingest.py:_extract", "ingest.py:_embed_and_forward", "claims.py",
                "store.py:store_task", "resolve.py:resolve", "write.py:write", "query.py",
                "embedder.py:MiniLMEmbedder.embed", "edge_store.py:EdgeVectorStore._flush", "send_task", "recovery.py"]


if __name__ == "__main__":
    import json

    print(json.dumps(summarize(Path(sys.argv[1]), sys.argv[2:]), indent=1))
