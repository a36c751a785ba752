"""Intake: add/message requests per second and latency at 32 connections, memq's API against
the bare reference (bench/ref_app.py: the same validation and one LPUSH), same uvicorn settings.
Beside the throughput ratio, the CPU ratio: CPU time per request of the server and its Redis,
the reference's over memq's, which the load of others' work on shared cores barely moves.

The load generator is wrk (C, one thread, Debian's `wrk`): on 2 cores a Python generator would
need about a core of its own to produce a few thousand requests a second and would take it from
the server it measures; wrk costs a fraction of one, the same for both servers."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from bench import pyspy
from bench.common import load, stack_processes
from memq.runner import free_port
from tests.stack import ROOT, Stack

LUA = Path(__file__).with_name("add_message.lua")
CONNECTIONS = 32
# The Add Message doc's example (the Quick Start's body).
EXAMPLE_BODY = {
    "user_id": "memos_user_123", "conversation_id": "0610",
    "messages": [
        {"role": "user", "content": "I have booked a summer trip to Guangzhou. Which hotel chains are available?"},
        {"role": "assistant", "content": "You can consider 7 Days Inn, Ji Hotel, Hilton, and others."},
        {"role": "user", "content": "I choose 7 Days Inn."},
        {"role": "assistant", "content": "Got it. Feel free to ask if you have other questions."}]}
# What memq's runner passes to uvicorn (memq/runner.py); the reference gets exactly the same.
UVICORN_FLAGS = ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]


def wrk(url: str, api_key: str, seconds: int) -> dict:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    env = {**os.environ, "BENCH_BODY": json.dumps(EXAMPLE_BODY), "BENCH_API_KEY": api_key}
    out = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(LUA), url],
                         env=env, capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["req_per_s"] = round(result["requests"] / result["seconds"], 1)
    return result


def measure(url: str, api_key: str, seconds: int, processes: dict[str, psutil.Process] | None = None) -> dict:
    """`processes` (name: process): also their CPU time per request, in microseconds."""
    wrk(url, api_key, 2)  # warm-up: connections, caches, the first Lua/JIT paths
    before = load()
    cpu = {name: _cpu_seconds(p) for name, p in (processes or {}).items()}
    result = wrk(url, api_key, seconds)
    result["load_avg"] = max(before, load())
    if processes:
        result["cpu_us_per_request"] = {name: round((_cpu_seconds(p) - cpu[name]) / result["requests"] * 1e6)
                                        for name, p in processes.items()}
    return result


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


@contextmanager
def reference_app(redis_url: str):
    port = free_port()
    env = {**os.environ, "BENCH_REDIS_URL": redis_url}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.ref_app:app", "--port", str(port),
                             *UVICORN_FLAGS], cwd=ROOT, env=env, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.post(f"{base}/api/openmem/v1/add/message", json=EXAMPLE_BODY, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield f"{base}/api/openmem/v1/add/message"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


@contextmanager
def workers_paused(stack: Stack):
    """SIGSTOP the Celery workers so that the API and the reference get the same idle cores."""
    procs = [p for name, p in stack_processes(stack).items() if not name.startswith("api")]
    for p in procs:
        p.suspend()
    try:
        yield
    finally:
        for p in procs:
            p.resume()


def run(stack: Stack, seconds: int = 10, profile: Path | None = None, rounds: int = 3) -> dict:
    """The reference then memq, `rounds` times, and the round whose ratio is the median: on
    shared cores someone else's burst can halve one side's figure in one round, and a ratio
    measured a few seconds apart is the steadiest figure there is. `profile`: then sample the API
    with py-spy during one more memq round, into that file (not a measured round: the sampler
    takes CPU from the server it samples)."""
    url = f"{stack.base_url}/add/message"
    redis_server = psutil.Process(stack.runtime["redis_pid"])
    api = {"server": stack_processes(stack)["api"], "redis": redis_server}
    with workers_paused(stack):
        with reference_app(stack.runtime["redis_url"]) as ref_url:
            reference_server = next(p for p in psutil.Process().children() if "bench.ref_app:app" in p.cmdline())
            ref = {"server": reference_server, "redis": redis_server}
            pairs = [(measure(ref_url, "unused", seconds, ref), measure(url, stack.api_key, seconds, api))
                     for _ in range(rounds)]
        if profile:
            spy = pyspy.record(api["server"].pid, seconds, profile)
            wrk(url, stack.api_key, seconds)
            spy.wait()
    ratios = [round(ours["req_per_s"] / theirs["req_per_s"], 3) for theirs, ours in pairs]
    cpu_ratios = [round(sum(theirs["cpu_us_per_request"].values()) / sum(ours["cpu_us_per_request"].values()), 3)
                  for theirs, ours in pairs]
    reference, memq = pairs[ratios.index(sorted(ratios)[len(ratios) // 2])]
    busy = measure(url, stack.api_key, seconds)  # and with the workers eating the backlog beside it
    return {"connections": CONNECTIONS, "seconds": seconds, "generator": "wrk -t1", "ratios_by_round": ratios,
            "reference": reference, "memq": memq, "memq_workers_running": busy,
            "ratio": round(memq["req_per_s"] / reference["req_per_s"], 3),
            "cpu_ratios_by_round": cpu_ratios, "cpu_ratio": sorted(cpu_ratios)[len(cpu_ratios) // 2]}
