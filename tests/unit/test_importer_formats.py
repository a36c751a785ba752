"""The import readers: JSONL, and LoCoMo / LongMemEval mapped as `make eval` maps them."""
import asyncio
import json
import time

from memq.import_formats import Conversation, Unreadable, detect_format, read_path
from memq.import_state import Checkpoint, Pacer

LOCOMO = [{
    "sample_id": "conv-1",
    "conversation": {
        "speaker_a": "Ann", "speaker_b": "Bob",
        "session_2_date_time": "9:05 am on 3 June, 2023",
        "session_2": [{"speaker": "Bob", "dia_id": "D2:1", "text": "Back from Lisbon."}],
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [{"speaker": "Ann", "dia_id": "D1:1", "text": "Hi Bob!"},
                      {"speaker": "Bob", "dia_id": "D1:2", "text": "Look at this.", "blip_caption": "a red kite"}],
    },
    "qa": [],
}]

LME = [
    {"question_id": "q1", "haystack_session_ids": ["s-a", "s-b"],
     "haystack_dates": ["2023/05/21 (Sun) 19:50", "2023/05/22 (Mon) 08:00"],
     "haystack_sessions": [[{"role": "user", "content": "I adopted a cat.", "has_answer": True},
                            {"role": "assistant", "content": "Congratulations!"}],
                           [{"role": "user", "content": "Her name is Miso."}]]},
    {"question_id": "q2_abs", "haystack_session_ids": ["s-c"], "haystack_dates": ["2023/05/21 (Sun) 19:50"],
     "haystack_sessions": [[{"role": "user", "content": "skipped"}]]},
]


def test_locomo_is_read_from_each_speakers_side(tmp_path):
    path = tmp_path / "locomo.json"
    path.write_text(json.dumps(LOCOMO))
    assert detect_format(path) == "locomo"
    convs = list(read_path(path))
    assert [(c.user_id, c.conversation_id) for c in convs] == [
        ("conv-1-Ann", "conv-1-s1"), ("conv-1-Ann", "conv-1-s2"), ("conv-1-Bob", "conv-1-s1"), ("conv-1-Bob", "conv-1-s2")]
    ann_s1, bob_s1 = convs[0], convs[2]
    assert ann_s1.messages == [
        {"role": "user", "content": "Ann: Hi Bob!", "chat_time": "2023-05-08 13:56:00"},
        {"role": "assistant", "content": "Bob: Look at this. [shares a photo of a red kite]",
         "chat_time": "2023-05-08 13:56:30"}]
    assert [m["role"] for m in bob_s1.messages] == ["assistant", "user"]
    assert convs[1].messages[0]["chat_time"] == "2023-06-03 09:05:00"


def test_longmemeval_is_a_user_per_question_without_abstentions(tmp_path):
    path = tmp_path / "lme.json"
    path.write_text(json.dumps(LME))
    assert detect_format(path) == "longmemeval"
    convs = list(read_path(path, user_prefix="x-"))
    assert [(c.user_id, c.conversation_id) for c in convs] == [("x-lme-q1", "s-a"), ("x-lme-q1", "s-b")]
    assert convs[0].messages == [
        {"role": "user", "content": "I adopted a cat.", "chat_time": "2023-05-21 19:50:00"},
        {"role": "assistant", "content": "Congratulations!", "chat_time": "2023-05-21 19:50:30"}]


def test_jsonl_lines_and_unreadable_ones(tmp_path):
    folder = tmp_path / "history"
    folder.mkdir()
    good = {"user_id": "u1", "conversation_id": "c1", "agent_id": "a", "tags": ["t"], "info": {"k": 1},
            "messages": [{"role": "user", "content": "hi", "chat_time": "2024-01-01 10:00:00"}]}
    lines = [json.dumps(good), "{not json", json.dumps({"user_id": "u2", "conversation_id": "c", "messages": []}),
             json.dumps({"user_id": "u3", "conversation_id": "c", "messages": ["hi"]}), ""]
    (folder / "b.jsonl").write_text("\n".join(lines))
    (folder / "a.json").write_text(json.dumps(LME[:1]))
    items = list(read_path(folder))
    assert [type(i) for i in items] == [Conversation, Conversation, Conversation, Unreadable, Unreadable, Unreadable]
    jsonl = items[2]
    assert (jsonl.user_id, jsonl.conversation_id, jsonl.messages) == ("u1", "c1", good["messages"])
    assert jsonl.extra == {"agent_id": "a", "tags": ["t"], "info": {"k": 1}}
    assert [(i.code, i.source.rsplit(":", 1)[1]) for i in items[3:]] == [(40000, "2"), (40002, "3"), (40000, "4")]
    assert "messages[0]" in items[5].message


def test_a_json_file_of_conversations_is_read_as_the_jsonl_lines_are(tmp_path):
    conversation = {"user_id": "u1", "conversation_id": "c1",
                    "messages": [{"role": "user", "content": "hi", "chat_time": "2024-01-01 10:00:00"}]}
    (tmp_path / "many.json").write_text(json.dumps([conversation, {**conversation, "conversation_id": "c2"}, 7],
                                                   indent=2))
    (tmp_path / "one.json").write_text(json.dumps(conversation))
    assert detect_format(tmp_path / "many.json") == "json"
    many = list(read_path(tmp_path / "many.json"))
    assert [type(i) for i in many] == [Conversation, Conversation, Unreadable]
    assert [c.conversation_id for c in many[:2]] == ["c1", "c2"] and many[2].source.endswith("many.json[2]")
    [one] = read_path(tmp_path / "one.json")
    assert one.messages == conversation["messages"]
    # JSONL under another name is still read line by line
    (tmp_path / "lines.json").write_text(json.dumps(conversation) + "\n" + json.dumps(conversation) + "\n")
    assert [type(i) for i in read_path(tmp_path / "lines.json")] == [Conversation, Conversation]


def test_a_run_rewrites_the_rejected_file_even_with_nothing_rejected(tmp_path):
    from memq.import_state import RejectLog
    path = tmp_path / "rejected.jsonl"
    first = RejectLog(path)
    first.add("a.jsonl:1", 40000, "bad")
    first.write()
    RejectLog(path).write()
    assert path.read_text() == ""


def test_checkpoint_survives_a_torn_last_line(tmp_path):
    path = tmp_path / "ck.jsonl"
    first = Checkpoint(path)
    first.record("k1", "t1")
    first.record("k2", "t2")
    first.close()
    with path.open("a") as handle:
        handle.write('{"key": "k3", "task')  # killed mid-write
    again = Checkpoint(path)
    assert again.done == {"k1": "t1", "k2": "t2"}
    again.record("k3", "t3")
    again.close()
    assert Checkpoint(path).done == {"k1": "t1", "k2": "t2", "k3": "t3"}


def test_pacer_stays_under_the_share_in_each_of_the_servers_fixed_windows():
    window, reset_at = 0.5, time.time() + 0.2  # the server's current window ends in 0.2 s

    async def scenario():
        pacer = Pacer(limit=100, window_seconds=window, used=40, share=0.9, reset_at=reset_at)  # 50 left now
        granted = []
        for tokens in (50, 45, 45, 30, 9):
            await pacer.acquire(tokens)
            granted.append((time.time(), tokens))
        pacer.drain()  # a 40309 spends what is left of the window
        await pacer.acquire(9)
        granted.append((time.time(), 9))
        return granted

    granted = asyncio.run(scenario())
    per_window = {}
    for at, tokens in granted:
        per_window[int((at - reset_at) // window)] = per_window.get(int((at - reset_at) // window), 0) + tokens
    # what the server counts in each of its windows: the 50 left of the first, then at most 90 (0.9 x 100)
    assert per_window.get(-1, 0) <= 50 and all(total <= 90 for total in per_window.values()), per_window
    assert granted[0][0] < reset_at  # what the first window had left went at once
    assert granted[-1][0] - granted[-2][0] > 0.05  # after the drain, the next window
