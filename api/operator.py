"""Who may open the operator endpoints (/metrics, /dashboard/data, /dashboard/tasks/...). They
show every project's numbers, failures and keys, so a project's API key never opens them:

- with MEMQ_OPERATOR_TOKEN set, every client must send `Authorization: Bearer <token>`
  (Prometheus: `authorization: {credentials: <token>}`; the dashboard page takes it once from
  its URL fragment, `/dashboard#token=<token>`, which browsers never send to the server);
- unset, only loopback clients are served: an operator on the host itself, or through an SSH
  tunnel. Behind a reverse proxy on the same host, uvicorn replaces the client address with the
  proxy's X-Forwarded-For (it trusts 127.0.0.1 by default), so remote users stay remote; still,
  set the token whenever the API is reachable from elsewhere."""
from __future__ import annotations

import hmac
import ipaddress

from fastapi import Request

from api.auth import _presented_key
from memq.errors import ErrorCode, MemqError
from memq.settings import get_settings


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:  # a unix socket or a test client's made-up host name
        return False


async def require_operator(request: Request) -> None:
    token = get_settings().operator_token
    if not token:
        if _is_loopback(request.client.host if request.client else None):
            return
        raise MemqError(ErrorCode.NO_API_KEY, "the operator endpoints answer local clients only; set "
                        "MEMQ_OPERATOR_TOKEN to open them to others", field="Authorization")
    presented = _presented_key(request)
    if not presented:
        raise MemqError(ErrorCode.NO_API_KEY, "send 'Authorization: Bearer <MEMQ_OPERATOR_TOKEN>'",
                        field="Authorization")
    if not hmac.compare_digest(presented.encode(), token.encode()):  # constant time: no guessing by timing
        raise MemqError(ErrorCode.BAD_API_KEY, "wrong operator token (a project's API key does not open "
                        "the operator endpoints)", field="Authorization")
