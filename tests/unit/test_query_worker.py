"""The query worker reads the search the API sent, including one from a newer API."""
from __future__ import annotations

from pipeline.filters import parse_filter
from workers.query import search_request


def test_a_search_is_read_with_its_filter_and_limits():
    request = search_request("p", {"user_id": "u", "query": "Where do I live?", "memory_limit": 4,
                                   "filter": {"agent_id": "a1"}, "relativity": 0.3})
    assert (request.project, request.user_id, request.query, request.memory_limit, request.relativity) == \
        ("p", "u", "Where do I live?", 4, 0.3)
    assert request.where == parse_filter({"agent_id": "a1"})


def test_a_field_this_worker_does_not_know_is_left_out_not_a_failed_search():
    # a newer API in a rolling deploy; nor can a request name another project than its key's
    request = search_request("p", {"user_id": "u", "query": "q", "filter": None, "reranker": "v2", "project": "other"})
    assert request.project == "p" and request.query == "q" and request.where is None
