"""The filter language of API.md, parsed into a small tree that each vector-store adapter
compiles into its own engine's filter, so filters run inside the store (on payload indexes),
never after retrieval.

    {"and": [{"agent_id": "a"}, {"tags": {"contains": "x"}}, {"create_time": {"gte": "2025-09-01"}}]}

- `agent_id`, `app_id`, `conversation_id`, `user_id`, `status`, `memory_id`: equality on the memory.
- any other key is an `info` key: `{"scene": "flight"}` is equality on `info.scene`.
- `{"tags": {"contains": "x"}}` (or `{"tags": "x"}`): the memory's tags include "x".
- `create_time` / `update_time` with gt/gte/lt/lte: a datetime, a date or epoch s/ms. A bare date
  means the whole day: `lte 2025-09-01` includes that day, `gt 2025-09-01` starts the next one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from memq.errors import ErrorCode, MemqError
from pipeline.chat_time import BEIJING, parse_chat_time

# Filter key -> payload field, for the fields of the memory itself.
DIRECT_FIELDS = {"agent_id": "agent_id", "app_id": "app_id", "conversation_id": "conversation_id",
                 "user_id": "user_id", "status": "status", "memory_id": "id", "tags": "tags"}
TIME_FIELDS = {"create_time", "update_time"}
STATUSES = ("activated", "archived")
RANGE_OPS = ("gt", "gte", "lt", "lte")
# Qdrant reads `.`, `[`, `]` and `"` in a payload key as path syntax: such info keys cannot be
# addressed safely, so they are refused rather than silently matching something else.
_INFO_KEY = re.compile(r'^[^.\[\]"]+$')
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Scalar = str | int | float | bool


@dataclass(frozen=True)
class Eq:
    field: str  # payload path: "agent_id", "info.scene", "status"
    value: Scalar


@dataclass(frozen=True)
class Contains:
    field: str
    value: Scalar


@dataclass(frozen=True)
class In:
    """The field equals one of several strings (the scope's memory kinds, `{"in": [...]}`)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    field: str
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


Node = Eq | Contains | In | Range | And | Or
T = TypeVar("T")


class FilterBuilder(Protocol[T]):
    """What an adapter provides to turn the tree into its engine's filter objects."""

    def eq(self, field: str, value: str | bool) -> T: ...
    def one_of(self, field: str, values: list[str]) -> T: ...
    def range(self, field: str, gt: float | None, gte: float | None, lt: float | None,
              lte: float | None) -> T: ...
    def all_of(self, items: list[T]) -> T: ...
    def any_of(self, items: list[T]) -> T: ...


def compile_filter(node: Node, builder: FilterBuilder[T]) -> T:
    """The one translation of the tree, shared by every adapter: builders only wrap objects."""
    if isinstance(node, And):
        return builder.all_of([compile_filter(n, builder) for n in node.items])
    if isinstance(node, Or):
        return builder.any_of([compile_filter(n, builder) for n in node.items])
    if isinstance(node, Range):
        return builder.range(node.field, node.gt, node.gte, node.lt, node.lte)
    if isinstance(node, In):
        return builder.one_of(node.field, list(node.values))
    value = node.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A number is matched as a one-point range: it then equals a stored 3 and 3.0 alike,
        # which an exact-match condition (integers and strings only) would not.
        return builder.range(node.field, None, float(value), None, float(value))
    # A payload list matches equality when any element equals, which is what `contains` means.
    return builder.eq(node.field, value)


def both(*nodes: Node | None) -> Node | None:
    """All of the given conditions (None ones skipped)."""
    present = tuple(n for n in nodes if n is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(present)


def _bad(path: str, why: str) -> MemqError:
    return MemqError(ErrorCode.INVALID, why, field=path)


def parse_filter(raw: Any, path: str = "filter") -> Node | None:
    """Parse a request's `filter`; None means no filter. Raises 40000 naming the bad part."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict):
        raise _bad(path, "a filter must be an object like {\"and\": [...]} or {\"or\": [...]}")
    return _parse_node(raw, path)


def _parse_node(raw: Any, path: str) -> Node:
    if not isinstance(raw, dict) or not raw:
        raise _bad(path, "each condition must be a non-empty object")
    parts: list[Node] = []
    for key, value in raw.items():
        where = f"{path}.{key}"
        if key in ("and", "or"):
            if not isinstance(value, list) or not value:
                raise _bad(where, f"'{key}' takes a non-empty list of conditions")
            items = tuple(_parse_node(item, f"{where}[{i}]") for i, item in enumerate(value))
            parts.append(And(items) if key == "and" else Or(items))
        else:
            parts.append(_parse_condition(key, value, where))
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _field(key: str, where: str) -> str:
    if key in DIRECT_FIELDS:
        return DIRECT_FIELDS[key]
    if not key.strip() or not _INFO_KEY.match(key):
        raise _bad(where, "an info key must be non-empty and hold no '.', '[', ']' or '\"'")
    return f"info.{key}"


def _parse_condition(key: str, value: Any, where: str) -> Node:
    if key in TIME_FIELDS:
        return _parse_range(key, value, where)
    field = _field(key, where)
    if key == "status":
        # anything else matches nothing, and would read as "no such memories"
        listed = value.get("in") if isinstance(value, dict) else None
        named = [(f"{where}.in[{i}]", v) for i, v in enumerate(listed)] if isinstance(listed, list) else \
            [] if isinstance(value, dict) else [(where, value)]
        for at, status in named:
            if status not in STATUSES:
                raise _bad(at, f"a status is one of {', '.join(STATUSES)}")
    if isinstance(value, dict):
        if set(value) == {"contains"}:
            if key in DIRECT_FIELDS and key != "tags":
                # one value, not a list: "contains" would be a substring match the engines do not
                # do, so it would silently match nothing
                raise _bad(f"{where}.contains", f"'contains' is for tags and info lists; {key} takes a plain "
                                                "value (equality) or {\"in\": [values]}")
            return Contains(field, _scalar(value["contains"], f"{where}.contains"))
        if set(value) == {"in"} and isinstance(value["in"], list) and value["in"]:
            return Or(tuple(Eq(field, _scalar(v, f"{where}.in[{i}]")) for i, v in enumerate(value["in"])))
        raise _bad(where, "use a plain value for equality, {\"contains\": value} or {\"in\": [values]}")
    if key == "tags":
        # {"tags": "exercise advice"}, as the Add Message doc writes it, means contains.
        return Contains(field, _scalar(value, where))
    return Eq(field, _scalar(value, where))


def _scalar(value: Any, where: str) -> Scalar:
    if isinstance(value, (str, bool, int, float)) and value != "":
        return value
    raise _bad(where, "expected a non-empty string, number or boolean")


def _parse_range(key: str, value: Any, where: str) -> Range:
    if not isinstance(value, dict) or not value or set(value) - set(RANGE_OPS):
        unknown = sorted(set(value) - set(RANGE_OPS)) if isinstance(value, dict) else []
        at = f"{where}.{unknown[0]}" if unknown else where
        raise _bad(at, f"'{key}' takes an object with gt, gte, lt or lte")
    bounds = Range(key)
    for op, moment in value.items():
        bounds = _tighten(bounds, *_bound(op, moment, f"{where}.{op}"))
    return bounds


def _bound(op: str, moment: Any, where: str) -> tuple[str, float]:
    """One bound in epoch ms. A bare date stands for its whole day (Beijing time, like chat_time)."""
    if isinstance(moment, bool) or not isinstance(moment, (str, int, float)) or moment == "":
        raise _bad(where, "expected a date, a datetime or epoch seconds/ms")
    try:
        start = parse_chat_time(moment)
    except ValueError as exc:
        raise _bad(where, str(exc)) from None
    if isinstance(moment, str) and _DATE_ONLY.match(moment.strip()):
        next_day = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), BEIJING)
        if op in ("gt", "lte"):  # after that day / up to the end of that day
            return ("gte" if op == "gt" else "lt"), next_day.timestamp() * 1000
    return op, start.timestamp() * 1000


def _tighten(bounds: Range, op: str, value: float) -> Range:
    current = getattr(bounds, op)
    if current is not None:
        value = max(current, value) if op in ("gt", "gte") else min(current, value)
    return replace(bounds, **{op: value})


def asks_for_status(node: Node | None) -> bool:
    """True when the filter names `status`: then archived memories are not hidden."""
    if node is None:
        return False
    if isinstance(node, (And, Or)):
        return any(asks_for_status(n) for n in node.items)
    return node.field == "status"
