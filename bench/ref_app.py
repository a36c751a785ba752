"""The intake reference: the least a service can do with an add/message and still call it
accepted. It validates the same body with the same pydantic model and does one Redis LPUSH.
`make bench` runs it under the same uvicorn settings as memq's API and compares the two."""
from __future__ import annotations

import os

import redis.asyncio as aioredis
from fastapi import FastAPI

from api.schemas import AddMessageRequest

app = FastAPI()
_redis = aioredis.Redis.from_url(os.environ["BENCH_REDIS_URL"], max_connections=256)


@app.post("/api/openmem/v1/add/message")
async def add_message(body: AddMessageRequest):
    await _redis.lpush("bench:ref", body.model_dump_json())
    return {"code": 0, "message": "ok", "data": {"success": True, "status": "running"}}
