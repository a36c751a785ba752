"""What every benchmark part shares: the machine's load, the stack (started as tests/stack.py
does: the real runner, its own Redis, on a free port), and a sampler of each process's RSS."""
from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import psutil

from tests.stack import Stack, new_stack

# The bench's stack: `make run`'s defaults (two ingest processes), with a quota large enough
# that thousands of requests a second are not refused with 40309: the quota is not what is measured.
STACK_ENV = {"MEMQ_INGEST_CONCURRENCY": "2", "MEMQ_QUOTA_TOKENS": "2000000000", "MEMQ_LOG_LEVEL": "WARNING"}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def start_stack(extra_env: dict | None = None) -> Stack:
    root = Path(tempfile.mkdtemp(prefix="memq-bench-"))
    stack = new_stack(root)
    return stack.start(timeout=240, extra_env={**STACK_ENV, **(extra_env or {})})


def stop_stack(stack: Stack) -> None:
    """Stop it and remove its temp dir (its Redis AOF and Edge shard: tens of MB a run)."""
    import shutil

    stack.stop()
    shutil.rmtree(stack.data_dir.parent, ignore_errors=True)


def stack_processes(stack: Stack) -> dict[str, psutil.Process]:
    """The API and each worker process by name, prefork children included."""
    import json

    runtime = json.loads((stack.data_dir / "runtime.json").read_text())
    out: dict[str, psutil.Process] = {}
    for name, pid in runtime["pids"].items():
        proc = psutil.Process(pid)
        out[name] = proc
        for i, child in enumerate(proc.children(recursive=True)):
            out[f"{name}/child{i + 1}"] = child
    return out


class RssSampler:
    """Peak RSS of each process, sampled every half second in a thread for as long as it runs."""

    def __init__(self, processes: dict[str, psutil.Process]):
        self.processes = processes
        self.peak_mb: dict[str, float] = {name: 0.0 for name in processes}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, proc in self.processes.items():
                try:
                    self.peak_mb[name] = max(self.peak_mb[name], proc.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
            self._stop.wait(0.5)


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
