"""The `memq` command line against the real stack: keys create/list/revoke in the stack's Redis,
and `memq import` of a LoCoMo-shaped file plus bad JSONL lines, end to end."""
import hashlib
import json
import os
import subprocess
import sys
import time

import pytest

from pipeline import keys as rkeys
from tests.stack import ROOT, unique

pytestmark = pytest.mark.integration


def memq(*args, env=None, cwd=ROOT, timeout=300):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MEMQ_")}
    return subprocess.run([sys.executable, "-m", "memq.cli", *args], env={**clean, "COLUMNS": "200", **(env or {})},
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_help_lists_every_command_and_eval_needs_its_folder(tmp_path):
    shown = memq("--help")
    assert shown.returncode == 0
    for command in ("run", "import", "keys", "eval"):
        assert f" {command} " in shown.stdout
    assert "--checkpoint" in memq("import", "--help").stdout
    missing = memq("eval", cwd=tmp_path)
    assert missing.returncode == 2 and "no eval/ folder" in missing.stderr


def wait_for_code(stack, api_key, code, timeout=8.0):
    """The API caches a key's verdict for a couple of seconds: a revocation lands within that."""
    deadline = time.monotonic() + timeout
    while True:
        with stack.client(api_key) as c:
            body = c.get("/quota").json()
        if body["code"] == code or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def test_keys_create_list_revoke(stack):
    by_url = {"MEMQ_REDIS_URL": stack.runtime["redis_url"]}
    by_runtime = {"MEMQ_DATA_DIR": str(stack.data_dir)}  # found through the running instance's runtime.json
    project = unique("proj")
    created = memq("keys", "create", "--project", project, env=by_url)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("mq_") and "\n" not in key

    # Stored hashed: the record sits under the key's sha256, and the key itself is nowhere in it.
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    record = stack.redis.hgetall(rkeys.api_key(key_hash))
    assert record[b"project"] == project.encode()
    assert key.encode() not in b"".join(record.values()) + stack.redis.hget(rkeys.API_KEYS_INDEX, key_hash)

    assert wait_for_code(stack, key, 0)["data"]["project"] == project
    listed = memq("keys", "list", env=by_runtime)
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if project in line)
    assert key[:7] in row and key_hash[:16] in row and "active" in row

    assert memq("keys", "revoke", key, env=by_url).returncode == 0
    refused = wait_for_code(stack, key, 40132)
    assert refused["code"] == 40132 and refused["data"] is None
    row = next(line for line in memq("keys", "list", env=by_url).stdout.splitlines() if project in line)
    assert "revoked" in row

    # Revoking by the hash prefix `keys list` shows.
    second = memq("keys", "create", "--project", project, env=by_url).stdout.strip()
    assert wait_for_code(stack, second, 0)["code"] == 0
    assert memq("keys", "revoke", hashlib.sha256(second.encode()).hexdigest()[:16], env=by_url).returncode == 0
    assert wait_for_code(stack, second, 40132)["code"] == 40132
    unknown = memq("keys", "revoke", "mq_no_such_key", env=by_url)
    assert unknown.returncode == 1 and "no such key" in unknown.stderr

    # A key with its own budget, as the README's `--quota N` says: the API counts against it.
    budgeted = memq("keys", "create", "--project", project, "--quota", "1234", env=by_url).stdout.strip()
    assert wait_for_code(stack, budgeted, 0)["data"]["limit"] == 1234
    row = next(line for line in memq("keys", "list", env=by_url).stdout.splitlines() if budgeted[:7] in line)
    assert "1234" in row


LOCOMO = [{"sample_id": "conv-7", "qa": [], "conversation": {
    "speaker_a": "Ann", "speaker_b": "Bob",
    "session_1_date_time": "1:56 pm on 8 May, 2023",
    "session_1": [{"speaker": "Ann", "dia_id": "D1:1", "text": "I just got back from a hiking trip in Norway."},
                  {"speaker": "Bob", "dia_id": "D1:2", "text": "Wow! Look what I painted.", "blip_caption": "a lighthouse"},
                  {"speaker": "Ann", "dia_id": "D1:3", "text": "My brother Tom joined me on the trip."}],
    "session_2_date_time": "10:00 am on 20 May, 2023",
    "session_2": [{"speaker": "Bob", "dia_id": "D2:1", "text": "I started teaching art classes at the library."},
                  {"speaker": "Ann", "dia_id": "D2:2", "text": "I adopted a puppy named Pixel."}]}}]


def test_import_cli_locomo_and_rejected_lines(stack, tmp_path):
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "locomo.json").write_text(json.dumps(LOCOMO))
    long_user = {"user_id": "u" * 101, "conversation_id": "c1", "messages": [{"role": "user", "content": "hi"}]}
    (folder / "extra.jsonl").write_text(json.dumps(long_user) + "\n{broken\n")
    prefix, rejected = unique("cli") + "-", tmp_path / "rejected.jsonl"
    args = ["import", str(folder), "--base-url", stack.base_url, "--wait", "--wait-timeout", "240", "--no-progress",
            "--user-prefix", prefix, "--rejected", str(rejected), "--checkpoint", str(tmp_path / "ck.jsonl")]

    bad_key = memq(*args, "--api-key", "mq_wrong")
    assert bad_key.returncode == 2 and "refused the API key" in bad_key.stderr

    done = memq(*args, "--api-key", stack.api_key)
    assert done.returncode == 1, done.stdout + done.stderr  # two items failed, the rest went in
    reasons = [json.loads(line) for line in rejected.read_text().splitlines()]
    assert sorted(r["code"] for r in reasons) == [40000, 40010]
    assert any("user_id" in r["message"] for r in reasons)
    summary = {line.split("│")[1].strip(): line.split("│")[2].strip()
               for line in done.stdout.splitlines() if line.count("│") == 3}
    assert summary["tasks completed"] == "4" and summary["tasks failed"] == "0" and summary["messages"] == "11"

    history = stack.post("/get/message", {"user_id": f"{prefix}conv-7-Bob", "conversation_id": "conv-7-s1",
                                          "message_limit_number": 50}).json()["data"]["message_detail_list"]
    assert [(m["role"], m["content"]) for m in history] == [
        ("assistant", "Ann: I just got back from a hiking trip in Norway."),
        ("user", "Bob: Wow! Look what I painted. [shares a photo of a lighthouse]"),
        ("assistant", "Ann: My brother Tom joined me on the trip.")]
    found = stack.search(f"{prefix}conv-7-Ann", "Who joined the hiking trip?", relativity=0)
    assert any("Tom" in m["memory_value"] for m in found["memory_detail_list"]), found["memory_detail_list"]

    # a trial run that stops before the end says so in its exit code, and leaves no old failures behind
    (folder / "extra.jsonl").unlink()
    trial = memq("import", str(folder), "--base-url", stack.base_url, "--api-key", stack.api_key, "--no-progress",
                 "--user-prefix", unique("trial") + "-", "--rejected", str(rejected), "--max-requests", "1")
    assert trial.returncode == 3 and "stopped early" in trial.stderr, trial.stdout + trial.stderr
    assert rejected.read_text() == ""
