"""A local stand-in for the Anthropic Messages API (POST /v1/messages), served over real HTTP
by a threaded http.server, so the real `anthropic` SDK is exercised end to end. Each test
scripts the answers (status, JSON body) in order; the server records every request body."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def tool_answer(memories: list[dict[str, Any]] | Any, input_tokens: int = 321, output_tokens: int = 54,
                name: str = "record_memories") -> tuple[int, dict]:
    return 200, {
        "id": "msg_fake", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [{"type": "tool_use", "id": "toolu_fake", "name": name,
                     "input": {"memories": memories} if isinstance(memories, list) else memories}],
        "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens}}


def text_answer(text: str) -> tuple[int, dict]:
    return 200, {"id": "msg_fake", "type": "message", "role": "assistant", "model": "claude-test",
                 "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                 "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 5}}


def error_answer(status: int, kind: str = "rate_limit_error") -> tuple[int, dict]:
    return status, {"type": "error", "error": {"type": kind, "message": f"fake {status}"}}


class FakeMessagesAPI:
    def __init__(self):
        self.script: list[tuple[int, dict]] = []
        self.requests: list[dict] = []
        self.default: tuple[int, dict] | None = None
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                api.requests.append({"path": self.path, "body": body,
                                     "api_key": self.headers.get("x-api-key") or
                                     (self.headers.get("authorization") or "").removeprefix("Bearer ")})
                status, answer = api.script.pop(0) if api.script else (api.default or error_answer(500, "api_error"))
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeMessagesAPI":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
