"""/dashboard in headless Chromium against the real stack: the page loads with no console error,
refreshes itself, and its numbers move by exactly what the test sends meanwhile; a failed task
links to its trace. A screenshot is left in test-artifacts/dashboard.png."""
import pytest

from api.auth import create_key, hash_key
from tests.chromium import Page
from tests.stack import ROOT, unique
from tests.traffic import fail_a_task, used_up, wait_idle

N_ADDS, M_MESSAGES, N_REFUSED = 2, 3, 2
TILES = ("batches-1h", "messages-1h", "completed-1h", "failed-1h", "searchable-n", "workers-total")


@pytest.fixture
def page(tmp_path):
    browser = Page(tmp_path / "chromium-profile")
    yield browser
    browser.close()


def read_tiles(page: Page) -> dict[str, int]:
    ids = ",".join(f"'{t}'" for t in TILES)
    return page.evaluate(f"Object.fromEntries([{ids}].map(id => [id, Number(document.getElementById(id).textContent)]))")


def refreshes(page: Page) -> int:
    return int(page.evaluate("Number(document.body.dataset.updates)"))


def test_dashboard_shows_the_traffic_just_sent(stack, page):
    wait_idle(stack)
    page.navigate(f"http://127.0.0.1:{stack.port}/dashboard")
    page.wait_for(lambda: refreshes(page) >= 1, what="the first refresh")
    before = read_tiles(page)
    assert page.evaluate("document.body.dataset.state") == "ok"

    user = unique("dash")
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"I play the cello, lesson {i}."}
                for i in range(M_MESSAGES)]
    tasks = [stack.add(user, messages, wait=False)["task_id"] for _ in range(N_ADDS)]
    tight_key = create_key(stack.redis, unique("dash-tight"), quota_tokens=1000)
    used_up(stack, tight_key, 1000)
    for _ in range(N_REFUSED):
        assert stack.post("/add/message", {"user_id": user, "conversation_id": "c1", "messages": messages},
                          api_key=tight_key).json()["code"] == 40309
    failed_id = fail_a_task(stack, user_id=user)
    for task_id in tasks:
        assert stack.wait_task(task_id)["status"] == "completed"
    assert stack.wait_task(failed_id)["status"] == "failed"
    wait_idle(stack)

    # The page refreshes by itself: wait for a refresh that started after everything finished.
    seen = refreshes(page)
    page.wait_for(lambda: refreshes(page) >= seen + 2, timeout=20, what="two more refreshes")
    after = read_tiles(page)
    assert after["batches-1h"] - before["batches-1h"] == N_ADDS
    assert after["messages-1h"] - before["messages-1h"] == N_ADDS * M_MESSAGES
    assert after["completed-1h"] - before["completed-1h"] == N_ADDS
    assert after["failed-1h"] - before["failed-1h"] == 1
    assert after["searchable-n"] - before["searchable-n"] == N_ADDS
    assert after["workers-total"] == 2  # one ingest process, one store worker
    assert page.evaluate("document.getElementById('searchable-p50').textContent") != "–"

    key_row = f"#rejections tr[data-key-id='{hash_key(tight_key)[:12]}']"
    assert page.evaluate(f"document.querySelector(\"{key_row} .last-hour\").textContent") == str(N_REFUSED)
    assert page.evaluate(f"document.querySelector(\"{key_row}\").dataset.code") == "40309"
    failed_row = f"#failed tr[data-task-id='{failed_id}']"
    assert page.evaluate(f"document.querySelector(\"{failed_row} .code\").textContent") == "50143"
    assert "batch is gone" in page.evaluate(f"document.querySelector(\"{failed_row} .reason\").textContent")
    assert page.evaluate("[...document.querySelectorAll('#latency .runs')].every(td => Number(td.textContent) > 0)")
    assert page.evaluate("Chart.getChart('chart-throughput').data.datasets[0].data.reduce((a, b) => a + b, 0)") \
        >= N_ADDS

    # The failed task links to its trace: stage, status and attempts.
    href = page.evaluate(f"document.querySelector(\"{failed_row} a\").getAttribute('href')")
    page.navigate(f"http://127.0.0.1:{stack.port}{href}")
    page.wait_for("!document.getElementById('task-panel').hidden", what="the task panel")
    assert "50143" in page.evaluate("document.getElementById('task-summary').textContent")
    assert page.evaluate("document.querySelector('#task-stages tr[data-stage=extract] .attempts').textContent") == "1"
    page.navigate(f"http://127.0.0.1:{stack.port}/dashboard?task={tasks[0]}")
    page.wait_for("document.querySelectorAll('#task-stages tr[data-stage]').length === 4", what="the four stages")
    page.navigate(f"http://127.0.0.1:{stack.port}/dashboard")
    page.wait_for(lambda: refreshes(page) >= 1, what="the refresh after the trace")
    page.screenshot(ROOT / "test-artifacts" / "dashboard.png")
    assert page.errors == []


def test_dashboard_data_is_for_operators_only(stack):
    """From this host (loopback) with no MEMQ_OPERATOR_TOKEN set the data answers; the page
    itself carries no data and a strict content policy."""
    import httpx

    base = f"http://127.0.0.1:{stack.port}"
    page = httpx.get(f"{base}/dashboard", timeout=10)
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    assert "chart.umd.min.js" in page.text and 'src="http' not in page.text and 'href="http' not in page.text
    assert httpx.get(f"{base}/dashboard/static/vendor/chart.umd.min.js", timeout=10).status_code == 200
    data = httpx.get(f"{base}/dashboard/data", timeout=10).json()
    assert set(data["queues"]) == {"ingest", "store", "query"} and len(data["throughput"]) == 60
    missing = httpx.get(f"{base}/dashboard/tasks/nope", timeout=10)
    assert missing.status_code == 404 and missing.json()["code"] == 50131
