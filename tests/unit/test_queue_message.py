"""The accept path pushes Celery messages itself (api/queue.py) rather than through kombu: the
message must be the one kombu would have pushed for send_task, or the workers would not run it."""
import base64
import json

from celery import Celery

from api import queue


def kombu_message(name: str, queue_name: str, args: list, headers: dict) -> dict:
    app = Celery("reference", broker="memory://")
    app.send_task(name, args=args, queue=queue_name, headers=headers)
    with app.connection() as conn:
        return conn.default_channel._get(queue_name)


def test_task_message_matches_what_kombu_publishes():
    ours = json.loads(queue.task_message("ingest.extract", "ingest", ["t1"], request_id="r1"))
    theirs = kombu_message("ingest.extract", "ingest", ["t1"], {"request_id": "r1", "sent_at": 1.0})
    assert ours.keys() == theirs.keys()
    assert ours["headers"].keys() == theirs["headers"].keys()
    assert ours["properties"].keys() == theirs["properties"].keys()
    for field in ("content-type", "content-encoding"):
        assert ours[field] == theirs[field]
    same = ("lang", "task", "retries", "timelimit", "argsrepr", "kwargsrepr", "ignore_result", "request_id")
    assert {k: ours["headers"][k] for k in same} == {k: theirs["headers"][k] for k in same}
    assert ours["headers"]["root_id"] == ours["headers"]["id"] == ours["properties"]["correlation_id"]
    assert ours["properties"]["delivery_info"] == theirs["properties"]["delivery_info"]
    assert ours["properties"]["body_encoding"] == "base64"
    assert base64.b64decode(ours["body"]) == base64.b64decode(theirs["body"])


def test_each_message_has_its_own_task_id():
    first = json.loads(queue.task_message("query.search", "query", ["reply", "p"]))
    second = json.loads(queue.task_message("query.search", "query", ["reply", "p"]))
    assert first["headers"]["id"] != second["headers"]["id"]
    assert first["properties"]["delivery_tag"] != second["properties"]["delivery_tag"]
    assert first["properties"]["delivery_info"]["routing_key"] == "query"
