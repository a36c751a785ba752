"""add/message's own route class (api/routes.py) answers every malformed request exactly as
FastAPI's general handler does for the same endpoint signature: same status, code and message."""
import time

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.testclient import TestClient

from api import auth, errors
from api.auth import Caller, authenticate, hash_key
from api.routes import AuthenticatedBodyRoute, ok
from api.schemas import AddMessageRequest

GOOD_KEY, REVOKED_KEY = "good-key", "revoked-key"
VALID = {"user_id": "u", "conversation_id": "c", "messages": [{"role": "user", "content": "hi"}]}


async def endpoint(body: AddMessageRequest, request: Request, caller: Caller = Depends(authenticate)):
    return ok({"project": caller.project, "user_id": body.user_id, "messages": len(body.messages)})


def app_with(route_class=None) -> TestClient:
    app = FastAPI()
    errors.install(app)
    router = APIRouter()
    router.add_api_route("/add", endpoint, methods=["POST"], **({"route_class_override": route_class}
                                                               if route_class else {}))
    app.include_router(router)
    return TestClient(app)


@pytest.fixture(autouse=True)
def cached_keys():
    """Both keys answered from the API's key cache: no Redis needed."""
    for key, project in ((GOOD_KEY, "p"), (REVOKED_KEY, None)):
        auth._cache[hash_key(key)] = (time.monotonic() + 600, project, None)
    yield
    auth._cache.clear()


CASES = [
    ("valid", {"json": VALID}, GOOD_KEY),
    ("empty body", {"content": b"", "headers": {"Content-Type": "application/json"}}, GOOD_KEY),
    ("invalid JSON", {"content": b'{"user_id": ', "headers": {"Content-Type": "application/json"}}, GOOD_KEY),
    ("invalid JSON, bad key", {"content": b"{", "headers": {"Content-Type": "application/json"}}, REVOKED_KEY),
    ("not UTF-8", {"content": b'{"user_id": "\xff"}', "headers": {"Content-Type": "application/json"}}, GOOD_KEY),
    ("array", {"json": [1, 2, 3]}, GOOD_KEY),
    ("null", {"content": b"null", "headers": {"Content-Type": "application/json"}}, GOOD_KEY),
    ("no content type", {"content": b'{"user_id": "u"}'}, GOOD_KEY),
    ("text/plain", {"content": b'{"user_id": "u"}', "headers": {"Content-Type": "text/plain"}}, GOOD_KEY),
    ("+json with charset", {"content": b'{"user_id": "u"}',
                            "headers": {"Content-Type": "application/vnd.api+json; charset=utf-8"}}, GOOD_KEY),
    ("missing fields", {"json": {"messages": [{"role": "robot"}]}}, GOOD_KEY),
    ("bad body, bad key", {"json": {"messages": "x"}}, REVOKED_KEY),
    ("bad body, no key", {"json": {"messages": "x"}}, None),
    ("valid, no key", {"json": VALID}, None),
]


@pytest.mark.parametrize("name, request_args, key", CASES, ids=[c[0] for c in CASES])
def test_same_answer_as_fastapis_handler(name, request_args, key):
    headers = {**request_args.get("headers", {}), **({"Authorization": f"Token {key}"} if key else {})}
    args = {**request_args, "headers": headers}
    theirs, ours = app_with().post("/add", **args), app_with(AuthenticatedBodyRoute).post("/add", **args)
    assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json())
    if name == "valid":
        assert ours.json()["data"] == {"project": "p", "user_id": "u", "messages": 1}
