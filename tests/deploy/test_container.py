"""deploy/container.py, the health checks and key registration compose.yml and deploy/k8s/ run in
the image, against the real stack (its Redis, its warm workers, its API), as the probes run them:
a subprocess with the container's environment."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from memq.runner import free_port
from tests.deploy.loaders import DEPLOY, ROOT
from tests.stack import unique

pytestmark = pytest.mark.integration


def run(stack, command: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MEMQ_")}
    base.update({"MEMQ_REDIS_URL": stack.runtime["redis_url"], "MEMQ_PORT": str(stack.port), **env})
    return subprocess.run([sys.executable, str(DEPLOY / "container.py"), command], env=base, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_worker_probe_sees_this_hosts_warm_workers_of_its_role_only(stack):
    assert run(stack, "worker", MEMQ_WORKER_ROLE="ingest").returncode == 0
    assert run(stack, "worker", MEMQ_WORKER_ROLE="store").returncode == 0
    assert run(stack, "worker", MEMQ_WORKER_ROLE="nobody").returncode == 1


def test_worker_probe_fails_when_redis_is_unreachable(stack):
    result = run(stack, "worker", MEMQ_WORKER_ROLE="ingest", MEMQ_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert result.returncode == 1


def test_api_probe_follows_health(stack):
    assert run(stack, "api").returncode == 0
    assert run(stack, "api", MEMQ_PORT=str(free_port())).returncode == 1


def test_register_key_makes_the_key_usable_and_never_revives_a_revoked_one(stack):
    from api.auth import hash_key, revoke_key
    from pipeline import keys

    key = f"mq_{unique('deploy')}"
    body = {"user_id": unique("u"), "query": "anything"}
    assert not stack.redis.exists(keys.api_key(hash_key(key)))  # (asking the API would cache the refusal)
    result = run(stack, "register-key", MEMQ_API_KEY=key)
    assert result.returncode == 0 and "registered for project default" in result.stdout
    assert stack.post("/search/memory", body, api_key=key).status_code == 200
    # Idempotent: the second start of the API finds the key and leaves it alone, even revoked.
    assert revoke_key(stack.redis, key)
    again = run(stack, "register-key", MEMQ_API_KEY=key)
    assert again.returncode == 0 and "already registered" in again.stdout
    assert stack.redis.hget(keys.api_key(hash_key(key)), "revoked") == b"1"


def test_register_key_without_a_key_fails(stack):
    assert run(stack, "register-key").returncode == 1
