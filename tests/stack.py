"""The real stack for integration tests: `python -m memq.runner` (what `make run` starts) in a
temp data dir, on a free port, with its own redis-server, real Celery worker processes, the
embedded Qdrant Edge store and the real MiniLM model. Never the machine's Redis on 6379."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from memq.runner import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Stack:
    data_dir: Path
    port: int
    api_key: str
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    runtime: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/openmem/v1"

    @property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.runtime["redis_url"])

    def client(self, api_key: str | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=60,
                            headers={"Authorization": f"Token {api_key or self.api_key}"})

    def post(self, path: str, body: dict, api_key: str | None = None, **kw) -> httpx.Response:
        with self.client(api_key) as c:
            return c.post(path, json=body, **kw)

    def wait_task(self, task_id: str, timeout: float = 120.0, api_key: str | None = None) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self.post("/get/status", {"task_id": task_id}, api_key=api_key).json()["data"]
            if data["status"] in ("completed", "failed"):
                return data
            time.sleep(0.1)
        raise TimeoutError(f"task {task_id} did not finish in {timeout} s")

    def add(self, user_id: str, messages: list[dict], conversation_id: str = "c1", wait: bool = True,
            api_key: str | None = None, **extra) -> dict:
        response = self.post("/add/message", {"user_id": user_id, "conversation_id": conversation_id,
                                              "messages": messages, **extra}, api_key=api_key)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        if wait:
            done = self.wait_task(data["task_id"], api_key=api_key)
            assert done["status"] == "completed", done
            return done
        return data

    def search(self, user_id: str, query: str, api_key: str | None = None, **extra) -> dict:
        response = self.post("/search/memory", {"user_id": user_id, "query": query, **extra}, api_key=api_key)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def start(self, timeout: float = 180.0, extra_env: dict | None = None) -> "Stack":
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEMQ_") and k != "ANTHROPIC_API_KEY"}
        env.update({"MEMQ_DATA_DIR": str(self.data_dir), "MEMQ_PORT": str(self.port), "HF_HUB_OFFLINE": "1",
                    "MEMQ_INGEST_CONCURRENCY": "1", **(extra_env or {})})
        if self.api_key:  # without one, the runner creates a key and prints it
            env["MEMQ_API_KEY"] = self.api_key
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.log"
        log = open(self.log_path, "w")
        self.process = subprocess.Popen([sys.executable, "-m", "memq.runner"], cwd=ROOT, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"memq runner exited: {self.log_path.read_text()[-3000:]}")
            runtime_file = self.data_dir / "runtime.json"
            try:
                if runtime_file.exists() and httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    self.runtime = json.loads(runtime_file.read_text())
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"stack not healthy in {timeout} s: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def new_stack(tmp_root: Path) -> Stack:
    data_dir = tmp_root / f"memq-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir(parents=True)
    return Stack(data_dir=data_dir, port=free_port(), api_key=f"test-{uuid.uuid4().hex}")


def unique(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
