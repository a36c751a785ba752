"""`make soak`: run the real stack for a set time under add and search load while killing a
worker (kill -9) every so often, then drain and report: accepted, completed, failed, lost
batches (accepted but never finished) and duplicated memories. The goal is 0 lost, 0 duplicated.

    .venv/bin/python -m bench.soak --minutes 10 --kill-every 60
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from tests.stack import new_stack

PLACES = "Paris Tokyo Lima Oslo Cairo Hanoi Quito Dakar Perth Riga Porto Kyoto Seville Bergen Tunis".split()
THINGS = ("a violin", "a kayak", "a telescope", "a sourdough starter", "a bonsai tree", "a vintage camera",
          "a sewing machine", "an e-bike", "a drone", "a chess set")


def statement(n: int) -> str:
    """A distinct fact per n, so dedupe can never merge two different batches' memories."""
    return f"In {PLACES[n % len(PLACES)]} I bought {THINGS[(n // len(PLACES)) % len(THINGS)]}, receipt {n}."


class Soak:
    def __init__(self, stack, users: int, pause: float):
        self.stack = stack
        self.pause = pause  # seconds between one adder's requests: the load stays sustainable
        self.users = [f"soak-user-{i}" for i in range(users)]
        self.tasks: dict[str, str] = {}  # task_id -> user_id
        self.lock = threading.Lock()
        self.counter = 0
        self.search_ms: list[float] = []
        self.errors = Counter()
        self.kills = 0

    def adder(self, stop: threading.Event) -> None:
        with self.stack.client() as client:
            while not stop.is_set():
                with self.lock:
                    start, self.counter = self.counter, self.counter + 5
                user = random.choice(self.users)
                messages = [{"role": "user", "content": statement(start + k)} for k in range(5)]
                try:
                    response = client.post("/add/message", json={"user_id": user, "conversation_id": f"c{start}",
                                                                 "messages": messages})
                    if response.status_code == 200:
                        with self.lock:
                            self.tasks[response.json()["data"]["task_id"]] = user
                    else:
                        self.errors[f"add {response.status_code}"] += 1
                except Exception as exc:  # the API itself may be restarting: counted, not fatal
                    self.errors[f"add {type(exc).__name__}"] += 1
                time.sleep(self.pause)

    def searcher(self, stop: threading.Event) -> None:
        with self.stack.client() as client:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    response = client.post("/search/memory", json={"user_id": random.choice(self.users),
                                                                   "query": "What did I buy in Kyoto?"})
                    if response.status_code == 200:
                        self.search_ms.append((time.perf_counter() - started) * 1000)
                    else:
                        self.errors[f"search {response.status_code}"] += 1
                except Exception as exc:
                    self.errors[f"search {type(exc).__name__}"] += 1
                time.sleep(0.1)

    def killer(self, stop: threading.Event, every: float) -> None:
        while not stop.wait(every):
            runtime = json.loads((self.stack.data_dir / "runtime.json").read_text())
            victim = random.choice(["ingest-worker", "store-worker"])
            try:
                os.killpg(runtime["pids"][victim], signal.SIGKILL)
                self.kills += 1
                print(f"soak: killed {victim}", flush=True)
            except (KeyError, ProcessLookupError):
                pass

    def drain(self, timeout: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        pending = dict.fromkeys(self.tasks, "unknown")
        final: dict[str, str] = {}
        with self.stack.client() as client:
            while pending and time.monotonic() < deadline:
                for task_id in list(pending):
                    try:
                        status = client.post("/get/status", json={"task_id": task_id}).json()["data"]["status"]
                    except Exception:
                        continue
                    if status in ("completed", "failed"):
                        final[task_id] = status
                        pending.pop(task_id)
                if pending:
                    time.sleep(1)
        return final

    def duplicates(self) -> int:
        dup = 0
        with self.stack.client() as client:
            for user in self.users:
                values, page = [], 1
                while True:
                    data = client.post("/get/memory", json={"user_id": user, "size": 50, "page": page}).json()["data"]
                    values += [m["memory_value"] for m in data["memory_detail_list"]]
                    if page >= data["pages"]:
                        break
                    page += 1
                dup += sum(n - 1 for n in Counter(values).values() if n > 1)
        return dup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--kill-every", type=float, default=60, help="seconds between worker kills")
    parser.add_argument("--adders", type=int, default=3)
    parser.add_argument("--rate", type=float, default=2.0, help="batches of 5 messages a second, all adders together")
    parser.add_argument("--searchers", type=int, default=2)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--out", default="bench/soak.json")
    args = parser.parse_args()

    stack = new_stack(Path(tempfile.mkdtemp(prefix="memq-soak-"))).start()
    soak, stop = Soak(stack, args.users, pause=args.adders / args.rate), threading.Event()
    threads = [threading.Thread(target=soak.adder, args=(stop,)) for _ in range(args.adders)]
    threads += [threading.Thread(target=soak.searcher, args=(stop,)) for _ in range(args.searchers)]
    threads.append(threading.Thread(target=soak.killer, args=(stop, args.kill_every)))
    started = time.time()
    try:
        [t.start() for t in threads]
        time.sleep(args.minutes * 60)
        stop.set()
        [t.join() for t in threads]
        final = soak.drain(args.drain_timeout)
        statuses = Counter(final.values())
        searches = sorted(soak.search_ms)
        report = {
            "minutes": args.minutes, "worker_kills": soak.kills, "accepted": len(soak.tasks),
            "completed": statuses["completed"], "failed": statuses["failed"],
            "lost": len(soak.tasks) - len(final), "duplicated_memories": soak.duplicates(),
            "search_p50_ms": round(searches[len(searches) // 2], 1) if searches else None,
            "search_p95_ms": round(searches[int(len(searches) * 0.95)], 1) if searches else None,
            "client_errors": dict(soak.errors), "wall_s": round(time.time() - started, 1),
        }
    finally:
        stack.stop()
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    ok = report["lost"] == 0 and report["duplicated_memories"] == 0 and report["failed"] == 0
    print(f"soak: {'OK' if ok else 'PROBLEM'}: {report['accepted']} accepted, {report['completed']} completed, "
          f"{report['failed']} failed, {report['lost']} lost, {report['duplicated_memories']} duplicated")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
