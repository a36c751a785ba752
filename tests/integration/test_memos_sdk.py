"""The MemOS Python SDK (the `MemoryOS` package's memos.api.client.MemOSClient, unmodified) works
against memq: add_message, get_task_status, search_memory, get_memory, get_message, delete_memory.

The SDK pins fastapi<0.116 and its package pulls heavy dependencies, so it never enters the
project's virtualenv: it goes, with --no-deps plus only what its client imports, into a separate
virtualenv built here once and reused (.cache/memos-venv). Skipped only when PyPI is unreachable."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stack import ROOT, unique

VENV = ROOT / ".cache" / "memos-venv"
MEMOS = "MemoryOS==2.0.33"
# What `memos.api.client` imports (its models import memos.types, which imports transformers'
# DynamicCache; transformers<5 imports without torch). Nothing else of the engine.
CLIENT_NEEDS = ["requests", "pydantic>=2", "python-dotenv", "pyyaml", "concurrent-log-handler",
                "transformers>=4.51.3,<5"]
SCRIPT = Path(__file__).with_name("memos_sdk_script.py")


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=900)


def _ready(python: Path) -> bool:
    # find_spec of "memos" alone: a submodule's spec would run the package's heavy __init__.
    probe = ("import importlib.util, pathlib; s = importlib.util.find_spec('memos'); "
             "assert pathlib.Path(s.submodule_search_locations[0], 'api', 'client.py').exists()")
    return python.exists() and subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def memos_python() -> Path:
    python = VENV / "bin" / "python"
    if _ready(python) and (VENV / ".complete").exists():
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True, capture_output=True)
    for args in (("--no-deps", MEMOS), tuple(CLIENT_NEEDS)):
        done = _pip(python, *args)
        if done.returncode != 0:
            offline = any(s in done.stderr for s in ("No matching distribution", "Could not find a version",
                                                     "NewConnectionError", "Temporary failure in name resolution",
                                                     "Network is unreachable", "ConnectTimeout", "ReadTimeout"))
            if offline:
                pytest.skip(f"PyPI is unreachable, cannot install the MemOS SDK: {done.stderr.strip()[-300:]}")
            raise RuntimeError(f"installing {args} failed:\n{done.stderr[-2000:]}")
    (VENV / ".complete").write_text(MEMOS + "\n")
    return python


def test_memos_sdk_client_against_memq(stack, memos_python, tmp_path):
    user_id = unique("sdk")
    env = {**os.environ, "MEMOS_BASE_PATH": str(tmp_path), "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"}
    run = subprocess.run([str(memos_python), str(SCRIPT), stack.base_url, stack.api_key, user_id],
                         capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])

    assert out["add"]["success"] is True and out["add"]["status"] == "running"
    assert out["status"]["task_id"] == out["add"]["task_id"] and out["status"]["status"] == "completed"
    assert out["status"]["memory_views"]["added"] >= 1
    assert out["sync"] == {"success": True, "status": "completed"}

    hotel = [m for m in out["search"]["memories"]
             if "7 Days Inn" in m["memory_value"] and m["memory_type"] == "LongTermMemory"]
    assert hotel and hotel[0]["info"] == {"scene": "hotel"} and isinstance(hotel[0]["relativity"], float)
    assert all(m["info"] == {"scene": "hotel"} for m in out["search"]["memories"])  # the filter held
    assert 2 in {s["message_index"] for s in hotel[0]["sources"]}  # "I choose 7 Days Inn."
    assert all(s["conversation_id"] == "0610" for s in hotel[0]["sources"])

    assert out["get_memory"]["total"] >= 2 and out["get_memory"]["pages"] == 1
    assert [m["content"] for m in out["get_message"]] == [
        "I have booked a summer trip to Guangzhou. Which hotel chains are available?",
        "You can consider 7 Days Inn, Ji Hotel, Hilton, and others.", "I choose 7 Days Inn.",
        "Got it. Feel free to ask if you have other questions."]
    assert all(set(m) >= {"role", "content", "chat_time", "create_time"} for m in out["get_message"])

    assert out["delete_one"] is True
    assert out["get_memory"]["ids"][0] not in out["after_delete_one"]
    assert out["delete_user"] is True and out["after_delete_user"] == 0
