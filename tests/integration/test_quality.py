"""Memory quality through the real stack: third-person dated facts with sources, and a
superseded fact archived with its history, search returning only the current one."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from pipeline.chat_time import BEIJING
from tests.stack import unique

pytestmark = pytest.mark.integration


def facts(found: dict) -> list[dict]:
    return [m for m in found["memory_detail_list"] if m["memory_type"] == "LongTermMemory"]


def test_speaker_named_facts_with_resolved_dates_and_sources(stack):
    user = unique("caroline")
    stack.add(user, [
        {"role": "user", "content": "Caroline: I went to a LGBTQ support group yesterday and it was so powerful.",
         "chat_time": "2023-05-08 13:56:00"},
        {"role": "assistant", "content": "Melanie: Wow! I painted a lake sunrise last year.",
         "chat_time": "2023-05-08 13:56:30"},
    ], conversation_id="s1")
    found = stack.search(user, "When did Caroline go to the LGBTQ support group?", memory_limit_number=5)
    top = facts(found)[0]
    assert top["memory_value"] == "Caroline went to a LGBTQ support group on 7 May 2023 and it was so powerful."
    assert top["sources"][0] | {"content": ""} == {"conversation_id": "s1", "message_index": 0, "role": "user",
                                                    "chat_time": "2023-05-08 13:56:00", "content": ""}
    # the other speaker's words are never a fact about this user: only a raw message
    values = [m["memory_value"] for m in found["memory_detail_list"]]
    assert not any("Caroline painted" in v or v.startswith("Melanie painted") for v in values)


def test_moving_supersedes_the_old_residence_and_get_shows_history(stack):
    user = unique("mover")
    stack.add(user, [{"role": "user", "content": "I live in Beijing with my wife.", "chat_time": "2024-01-05 09:00:00"}],
              conversation_id="a")
    stack.add(user, [{"role": "user", "content": "I moved to Shanghai last month.", "chat_time": "2024-04-10 09:00:00"}],
              conversation_id="b")
    current = [m["memory_value"] for m in facts(stack.search(user, "Where does the user live?"))]
    assert "The user moved to Shanghai in March 2024." in current
    assert not any("Beijing" in v for v in current)
    # nor does the raw message that only said it answer beside the new fact
    shown = [m["memory_value"] for m in stack.search(user, "Where do I live?")["memory_detail_list"]]
    assert shown and not any("Beijing" in v for v in shown), shown
    # a question about the past finds what was superseded, marked as such
    before = [m for m in stack.search(user, "Where did I live before I moved?")["memory_detail_list"]
              if "Beijing" in m["memory_value"]]
    assert before and all(m["status"] == "archived" and m["superseded_by"] for m in before), before
    new = next(m for m in facts(stack.search(user, "Shanghai")) if "Shanghai" in m["memory_value"])
    with stack.client() as c:
        shown = c.get(f"/get/memory/{new['id']}").json()["data"]
    assert [h["memory_value"] for h in shown["history"]] == ["The user lives in Beijing with their wife (5 January 2024)."]
    old_id = shown["history"][0]["id"]
    with stack.client() as c:
        old = c.get(f"/get/memory/{old_id}").json()["data"]
    assert old["status"] == "archived" and old["superseded_by"] == new["id"] and old["valid_to"]


def test_what_a_statement_says_is_over_is_archived_and_a_later_word_comes_first(stack):
    # "I sold my Honda Civic" names what it ends: the Civic is archived, and shown only to a
    # question about the past
    user = unique("driver")
    stack.add(user, [{"role": "user", "content": "I drive a silver Honda Civic to work every day.",
                      "chat_time": "2024-01-05 09:00:00"}], conversation_id="a")
    stack.add(user, [{"role": "user", "content": "I sold my Honda Civic last week and now I drive a Tesla Model 3.",
                      "chat_time": "2024-04-10 09:00:00"}], conversation_id="b")
    now = [m["memory_value"] for m in stack.search(user, "What car do I drive?")["memory_detail_list"]]
    assert "Tesla" in now[0] and not any("silver Honda Civic" in v for v in now), now
    past = stack.search(user, "What car did I drive in January?")["memory_detail_list"]
    assert any("silver Honda Civic" in m["memory_value"] and m["status"] == "archived" for m in past), past
    # no slot or ending covers the book one reads: nothing is superseded, but the later word leads
    user = unique("reader")
    stack.add(user, [{"role": "user", "content": "I'm reading Dune by Frank Herbert before bed every night.",
                      "chat_time": "2024-01-05 09:00:00"}], conversation_id="a")
    stack.add(user, [{"role": "user", "content": "I'm reading Project Hail Mary by Andy Weir before bed now, it's great.",
                      "chat_time": "2024-04-10 09:00:00"}], conversation_id="b")
    now = [m["memory_value"] for m in stack.search(user, "What book am I reading?")["memory_detail_list"]]
    assert "Project Hail Mary" in now[0] and any("Dune" in v for v in now[1:]), now


def test_a_reply_in_a_later_add_is_found_by_the_question_it_answers(stack):
    user = unique("melanie")
    stack.add(user, [
        {"role": "user", "content": "Melanie: We are planning the summer holidays.",
         "chat_time": "2023-08-13 19:00:00"},
        {"role": "assistant", "content": "Caroline: Fun! Have you ever visited Iceland?",
         "chat_time": "2023-08-13 19:00:30"}], conversation_id="chat")
    stack.add(user, [{"role": "user", "content": "Melanie: Yes, twice, back in 2019.",
                      "chat_time": "2023-08-14 08:00:00"}], conversation_id="chat")  # real-time: one turn per add
    stack.add(user, [{"role": "user", "content": "Melanie: I want to visit Norway next summer.",
                      "chat_time": "2023-09-01 10:00:00"},
                     {"role": "user", "content": "Melanie: I read that the glaciers of Iceland are melting fast.",
                      "chat_time": "2023-09-01 10:01:00"}], conversation_id="other")
    found = stack.search(user, "Has Melanie visited Iceland?", memory_limit_number=3, include_preference=False)
    values = [m["memory_value"] for m in found["memory_detail_list"]]
    # the reply it got in the next add shares no word with the query: the question it answers does
    assert any("twice, back in 2019" in v for v in values), values


def test_chinese_messages_are_found_by_a_word_inside_them(stack):
    user = unique("xiaoming")
    messages = ["我住在北京，在一家银行工作。", "我的女儿喜欢画画和游泳。", "上周末我们去了杭州西湖，风景很美。",
                "我最近在学习弹钢琴，每周上两节课。", "明年我打算去日本旅行。"]
    stack.add(user, [{"role": "user", "content": text, "chat_time": "2024-03-01 09:00:00"} for text in messages],
              conversation_id="zh")
    for query, expected in [("女儿喜欢什么？", "女儿"), ("杭州", "西湖"), ("钢琴课", "钢琴"), ("在哪家银行工作", "银行")]:
        found = stack.search(user, query, memory_limit_number=1, include_preference=False)
        values = [m["memory_value"] for m in found["memory_detail_list"]]
        assert values and expected in values[0], (query, values)


def test_yesterday_in_a_query_is_the_day_before_it_was_asked(stack):
    # Through the API and a query worker, which reads "yesterday" from its clock: two dinners told alike
    now = datetime.now(BEIJING)
    if now.hour == 23 and now.minute >= 58:  # not across midnight: "yesterday" would move under the test
        time.sleep(125)
        now = datetime.now(BEIJING)
    user = unique("diner")
    for days, friend in ((1, "Priya"), (20, "Omar")):
        said = (now - timedelta(days=days)).replace(hour=12, minute=0, second=0)
        stack.add(user, [{"role": "user", "content": f"I had dinner with {friend} at a Thai place downtown.",
                          "chat_time": said.strftime("%Y-%m-%d %H:%M:%S")}], conversation_id=f"d{days}")
    found = stack.search(user, "Who did I have dinner with yesterday?", memory_limit_number=1)["memory_detail_list"]
    assert found and "Priya" in found[0]["memory_value"], found
