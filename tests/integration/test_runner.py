"""`make run`'s runner: with MEMQ_REDIS_URL it uses that Redis and never stops it; without
MEMQ_API_KEY it creates a key, prints it and keeps it for the next start; Ctrl-C stops every
process it started."""
import os
import re
import signal
import time

import psutil
import redis

from memq.runner import free_port, start_redis, wait_for_redis
from tests.stack import new_stack


def test_external_redis_printed_key_and_clean_stop(tmp_path):
    port = free_port()
    external = start_redis(tmp_path / "external-redis", port)
    url = f"redis://127.0.0.1:{port}/0"
    wait_for_redis(url)
    stack = new_stack(tmp_path)
    stack.api_key = None
    try:
        stack.start(extra_env={"MEMQ_REDIS_URL": url})
        assert stack.runtime["redis_url"] == url and stack.runtime["redis_pid"] is None
        deadline = time.monotonic() + 30  # the banner follows the runner's own health check
        while not (banner := re.search(r"API key\s+(\S+)", stack.log_path.read_text())):
            assert time.monotonic() < deadline, stack.log_path.read_text()[-2000:]
            time.sleep(0.2)
        printed = banner.group(1)
        assert printed == (stack.data_dir / "api_key").read_text().strip()
        stack.api_key = printed
        done = stack.add("runner-user", [{"role": "user", "content": "I keep bees in my garden."}])
        assert done["status"] == "completed"
        children = [psutil.Process(pid) for pid in stack.runtime["pids"].values()]
        descendants = children + [c for p in children for c in p.children(recursive=True)]
        os.killpg(stack.process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        stack.process.wait(timeout=60)
        time.sleep(0.5)
        assert not [p.pid for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert redis.Redis.from_url(url).ping()  # a Redis memq did not start is never stopped
        assert not (stack.data_dir / "runtime.json").exists()
    finally:
        stack.stop()
        external.terminate()
        external.wait()
