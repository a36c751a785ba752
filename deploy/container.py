"""Container-side helpers shared by deploy/compose.yml and deploy/k8s/ (run from the image's /app):

  python deploy/container.py api           exit 0 when this host's API answers GET /health with 200
  python deploy/container.py worker        exit 0 when a warm worker of MEMQ_WORKER_ROLE beats from this host
  python deploy/container.py register-key  register MEMQ_API_KEY for MEMQ_DEFAULT_PROJECT (once)

Health images carry no curl; Python is already there. The worker check reads the heartbeat that
workers/lifecycle.py writes only once the model (and, for the store role, the store) is loaded, so
a container counts as healthy when it can do work, not merely when the process exists."""
from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request

import redis

from memq.settings import get_settings
from pipeline import keys


def api_healthy() -> bool:
    url = f"http://127.0.0.1:{get_settings().port}/health"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):  # 503 (HTTPError is a URLError) or not listening yet
        return False


def worker_healthy() -> bool:
    settings = get_settings()
    # A heartbeat is keyed by the worker identity "role:host:pid" (workers/identity.py). A container
    # sees only its own few processes in /proc, so one EXISTS over their exact keys is cheap where a
    # SCAN would walk the whole keyspace.
    prefix = f"{settings.worker_role}:{socket.gethostname()}"
    names = [keys.heartbeat(f"{prefix}:{pid}") for pid in os.listdir("/proc") if pid.isdigit()]
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        return bool(names) and client.exists(*names) > 0
    except redis.exceptions.RedisError:
        return False


def register_key() -> bool:
    """Idempotent, and never re-enables a key that an operator revoked: rotate by changing MEMQ_API_KEY."""
    from api.auth import create_key, hash_key

    settings = get_settings()
    if not settings.api_key:
        print("MEMQ_API_KEY is not set", file=sys.stderr)
        return False
    client = redis.Redis.from_url(settings.redis_url)
    if client.exists(keys.api_key(hash_key(settings.api_key))):
        print(f"key {settings.api_key[:7]}... already registered")
        return True
    create_key(client, settings.default_project, settings.api_key)
    print(f"key {settings.api_key[:7]}... registered for project {settings.default_project}")
    return True


COMMANDS = {"api": api_healthy, "worker": worker_healthy, "register-key": register_key}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(f"usage: container.py {{{'|'.join(COMMANDS)}}}", file=sys.stderr)
        return 2
    return 0 if COMMANDS[argv[0]]() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
