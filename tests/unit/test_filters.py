"""A malformed filter is a 40000 that names the bad part, never a silent empty result."""
import pytest

from memq.errors import ErrorCode, MemqError
from pipeline.filters import And, Contains, Eq, Or, Range, asks_for_status, parse_filter


@pytest.mark.parametrize("raw,path", [
    ("agent_id=x", "filter"),
    ([{"agent_id": "x"}], "filter"),
    ({"and": {"agent_id": "x"}}, "filter.and"),
    ({"or": []}, "filter.or"),
    ({"and": [{"agent_id": "x"}, "app_id"]}, "filter.and[1]"),
    ({"and": [{}]}, "filter.and[0]"),
    ({"and": [{"agent_id": ""}]}, "filter.and[0].agent_id"),
    ({"agent_id": None}, "filter.agent_id"),
    ({"agent_id": ["a", "b"]}, "filter.agent_id"),
    ({"tags": {"has": "x"}}, "filter.tags"),
    ({"tags": {"contains": {"x": 1}}}, "filter.tags.contains"),
    ({"create_time": "2025-09-01"}, "filter.create_time"),
    ({"create_time": {}}, "filter.create_time"),
    ({"create_time": {"after": "2025-09-01"}}, "filter.create_time.after"),
    ({"or": [{"update_time": {"gte": "next tuesday"}}]}, "filter.or[0].update_time.gte"),
    ({"create_time": {"lt": True}}, "filter.create_time.lt"),
    ({"create_time": {"lt": None}}, "filter.create_time.lt"),
    ({"a.b": "x"}, "filter.a.b"),
    ({"scene": {"in": []}}, "filter.scene"),
    # they would match nothing: a status that does not exist, "contains" on a one-value field
    ({"status": "bogus"}, "filter.status"),
    ({"and": [{"status": {"in": ["activated", "deleted"]}}]}, "filter.and[0].status.in[1]"),
    ({"agent_id": {"contains": "ag"}}, "filter.agent_id.contains"),
    ({"conversation_id": {"contains": "c"}}, "filter.conversation_id.contains"),
    ({"create_time": {"gte": "9999-12-31"}}, "filter.create_time.gte"),
])
def test_malformed_filter_is_40000_naming_the_part(raw, path):
    with pytest.raises(MemqError) as err:
        parse_filter(raw)
    assert err.value.code == ErrorCode.INVALID
    assert err.value.message.startswith(f"{path}: "), err.value.message


def test_the_start_of_1970_in_beijing_time_is_a_valid_bound():
    assert parse_filter({"create_time": {"gte": "1970-01-01"}}).gte == -8 * 3600 * 1000


def test_empty_filter_means_none():
    assert parse_filter(None) is None and parse_filter({}) is None


def test_parse_tree():
    node = parse_filter({"and": [{"agent_id": "a"}, {"scene": "flight"}, {"tags": {"contains": "x"}},
                                 {"or": [{"memory_id": "m"}, {"status": "archived"}]}]})
    assert node == And((Eq("agent_id", "a"), Eq("info.scene", "flight"), Contains("tags", "x"),
                        Or((Eq("id", "m"), Eq("status", "archived")))))
    assert asks_for_status(node) and not asks_for_status(parse_filter({"agent_id": "a"}))


def test_two_bounds_of_one_side_keep_the_tighter():
    node = parse_filter({"create_time": {"gt": "2025-09-01", "gte": "2025-09-05 00:00:00"}})
    assert isinstance(node, Range) and node.gte == parse_filter(
        {"create_time": {"gte": "2025-09-05 00:00:00"}}).gte
