"""API keys: `Authorization: Token <key>`. Keys are stored hashed (sha256); a key belongs to one
project, and every id a request names is looked up inside that project only."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import time

from fastapi import Request

from api.redis_conn import client, redis_errors
from memq.errors import ErrorCode, MemqError
from pipeline import keys

PROJECT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
CACHE_SECONDS = 2.0  # a revoked key stops working within this long
_cache: dict[str, tuple[float, str | None, int | None]] = {}


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_key() -> str:
    return "mq_" + secrets.token_urlsafe(24)


class Caller:
    def __init__(self, project: str, key_hash: str, quota_tokens: int | None = None):
        self.project = project
        self.key_hash = key_hash
        self.quota_tokens = quota_tokens  # this key's own window budget; None: the global setting


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "").strip()
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return header if " " not in header else None


async def authenticate(request: Request) -> Caller:
    api_key = _presented_key(request)
    if not api_key:
        raise MemqError(ErrorCode.NO_API_KEY, "missing API key: send 'Authorization: Token <key>'",
                        field="Authorization")
    key_hash = hash_key(api_key)
    cached = _cache.get(key_hash)
    if cached and cached[0] > time.monotonic():
        _, project, quota_tokens = cached
    else:
        async with redis_errors("the key store is unreachable"):
            raw = await client().hgetall(keys.api_key(key_hash))
        record = {k.decode(): v.decode() for k, v in raw.items()}
        project = record.get("project") if record and record.get("revoked") != "1" else None
        quota_tokens = int(record["quota_tokens"]) if record.get("quota_tokens") else None
        _cache[key_hash] = (time.monotonic() + CACHE_SECONDS, project, quota_tokens)
    if project is None:
        raise MemqError(ErrorCode.BAD_API_KEY, "unknown or revoked API key", field="Authorization")
    request.state.project = project
    return Caller(project, key_hash, quota_tokens)


# --- key management, shared by the CLI and `make run` (sync Redis) ---

def create_key(sync_client, project: str, api_key: str | None = None, quota_tokens: int | None = None) -> str:
    """Register a key for `project`; `quota_tokens` overrides MEMQ_QUOTA_TOKENS for this key."""
    if not PROJECT_NAME.fullmatch(project):
        raise ValueError("a project name is 1-64 letters, digits, '-', '_' or '.'")
    api_key = api_key or new_key()
    key_hash = hash_key(api_key)
    record = {"project": project, "created_at": str(int(time.time())), "revoked": "0",
              "prefix": api_key[:7]}
    if quota_tokens is not None:
        record["quota_tokens"] = str(quota_tokens)
    sync_client.hset(keys.api_key(key_hash), mapping=record)
    sync_client.hset(keys.API_KEYS_INDEX, key_hash, json.dumps(record))
    return api_key


def list_keys(sync_client) -> list[dict]:
    out = []
    for key_hash, raw in sync_client.hgetall(keys.API_KEYS_INDEX).items():
        record = json.loads(raw)
        out.append({"hash": key_hash.decode() if isinstance(key_hash, bytes) else key_hash, **record})
    return sorted(out, key=lambda r: r["created_at"])


def revoke_key(sync_client, api_key_or_hash: str) -> bool:
    candidates = [api_key_or_hash, hash_key(api_key_or_hash)]
    for key_hash in candidates:
        if sync_client.exists(keys.api_key(key_hash)):
            sync_client.hset(keys.api_key(key_hash), "revoked", "1")
            raw = sync_client.hget(keys.API_KEYS_INDEX, key_hash)
            if raw:
                record = json.loads(raw)
                record["revoked"] = "1"
                sync_client.hset(keys.API_KEYS_INDEX, key_hash, json.dumps(record))
            return True
    return False
