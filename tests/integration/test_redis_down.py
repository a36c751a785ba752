"""Durability of acceptance: code 0 only once the batch is in Redis; with Redis down the answer
is 50144/503 and nothing half-written remains when Redis comes back."""
import os
import signal
import subprocess
import sys
import time

import httpx
import redis

from api.auth import create_key
from memq.runner import free_port, start_redis, wait_for_redis
from tests.stack import ROOT

BODY = {"user_id": "u1", "conversation_id": "c1", "messages": [{"role": "user", "content": "I live in Beijing."}]}


def test_redis_down_gives_50144_and_writes_nothing(tmp_path):
    port, api_port = free_port(), free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = start_redis(tmp_path / "redis", port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMQ_")}
    env.update(MEMQ_REDIS_URL=url, MEMQ_DATA_DIR=str(tmp_path))
    api = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:app", "--port", str(api_port)], cwd=ROOT,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        client = wait_for_redis(url)
        key = create_key(client, "p")
        base = f"http://127.0.0.1:{api_port}/api/openmem/v1"
        http = httpx.Client(base_url=base, headers={"Authorization": f"Token {key}"}, timeout=10)
        for _ in range(100):
            try:
                if http.post("/add/message", json=BODY).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        time.sleep(1.5)  # past the AOF's one-second fsync
        server.send_signal(signal.SIGKILL)
        server.wait()
        down = http.post("/add/message", json={**BODY, "conversation_id": "c2"})
        assert down.status_code == 503 and down.json()["code"] == 50144, down.text
        assert "retry" in down.json()["message"]
        status = http.post("/get/status", json={"task_id": "x"})
        assert status.status_code == 503 and status.json()["code"] == 50144

        server = start_redis(tmp_path / "redis", port)
        client = wait_for_redis(url)
        assert len(list(client.scan_iter("memq:batch:*"))) == 1
        assert len(list(client.scan_iter("memq:task:*"))) == 1
        assert len(list(client.scan_iter("memq:msgs:*"))) == 1  # only conversation c1 has raw messages
        assert http.post("/add/message", json={**BODY, "conversation_id": "c3"}).status_code == 200
    finally:
        api.terminate()
        api.wait()
        server.terminate()
        server.wait()
