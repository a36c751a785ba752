"""`memq import` when the server goes away mid-import: after LOST_REQUESTS requests in a row got
no answer (each after its own retries), the rest is held back for a rerun instead of costing every
remaining request its own round of retries. The server is a small scripted one (an httpx
transport) that answers the quota, accepts some adds, then stops answering."""
import asyncio
import json

import httpx

from memq.client import AsyncMemOSClient
from memq.importer import LOST_REQUESTS, Importer, ImportOptions


class VanishingServer:
    def __init__(self, answered_adds: int):
        self.answered_adds = answered_adds
        self.adds = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/quota"):
            return httpx.Response(200, json={"code": 0, "message": "ok", "data": {
                "used": 0, "limit": 10_000_000, "remaining": 10_000_000, "window_seconds": 60, "reset": 0,
                "max_request_tokens": 20_000, "max_messages": 500, "max_content_chars": 100_000}})
        self.adds += 1
        if self.adds > self.answered_adds:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200, json={"code": 0, "message": "ok", "data": {
            "success": True, "task_id": f"t{self.adds}", "status": "running"}})


class ScriptedImporter(Importer):
    def __init__(self, options, server):
        super().__init__(options)
        self.server = server

    def _client(self) -> AsyncMemOSClient:
        client = AsyncMemOSClient("k", "http://memq.test/api/openmem/v1", transport=httpx.MockTransport(self.server),
                                  max_retries=2, max_quota_waits=None)
        client.policy.backoff_base = 0.001
        return client


def test_a_server_gone_mid_import_holds_the_rest_back_after_a_few_lost_requests(tmp_path):
    lines = [{"user_id": f"u{i}", "conversation_id": "c", "messages": [{"role": "user", "content": f"I am number {i}."}]}
             for i in range(40)]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    server = VanishingServer(answered_adds=5)
    importer = ScriptedImporter(ImportOptions(path=path, base_url="http://memq.test", api_key="k", concurrency=1,
                                              rejected=tmp_path / "rejected.jsonl", show_progress=False), server)
    stats = asyncio.run(importer.run())
    # 5 accepted, LOST_REQUESTS tried (each with its 2 retries), none of the rest sent
    assert stats.sent == 5
    assert server.adds == 5 + LOST_REQUESTS * 3
    assert stats.failed == 40 - 5 and not stats.ok
    rejected = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert sum(r["code"] == "not_sent" and "stopped answering" in r["message"] for r in rejected) == 40 - 5 - LOST_REQUESTS
