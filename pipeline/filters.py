"""The filter language of API.md, parsed into a small tree that each vector-store adapter
compiles into its own engine's filter, so filters run inside the store (on payload indexes),
never after retrieval.

    {"and": [{"agent_id": "a"}, {"tags": {"contains": "x"}}, {"create_time": {"gte": "2025-09-01"}}]}
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from memq.errors import ErrorCode, MemqError
from pipeline.chat_time import parse_chat_time

DIRECT_FIELDS = {"agent_id", "app_id", "conversation_id", "status", "memory_id"}
TIME_FIELDS = {"create_time", "update_time"}
RANGE_OPS = ("gt", "gte", "lt", "lte")
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


Node = Eq | Contains | Range | And | Or
T = TypeVar("T")


class FilterBuilder(Protocol[T]):
    """What an adapter provides to turn the tree into its engine's filter objects."""

    def eq(self, field: str, value: Scalar) -> T: ...
    def range(self, field: str, gt: float | None, gte: float | None, lt: float | None,
              lte: float | None) -> T: ...
    def all_of(self, items: list[T]) -> T: ...
    def any_of(self, items: list[T]) -> T: ...


def compile_filter(node: Node, builder: FilterBuilder[T]) -> T:
    if isinstance(node, And):
        return builder.all_of([compile_filter(n, builder) for n in node.items])
    if isinstance(node, Or):
        return builder.any_of([compile_filter(n, builder) for n in node.items])
    if isinstance(node, Range):
        return builder.range(node.field, node.gt, node.gte, node.lt, node.lte)
    # A payload list matches equality when any element equals, which is what `contains` means.
    return builder.eq(node.field, node.value)


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


def _parse_condition(key: str, value: Any, where: str) -> Node:
    if key in TIME_FIELDS:
        return _parse_range(key, value, where)
    field = key if key in DIRECT_FIELDS else ("tags" if key == "tags" else f"info.{key}")
    if isinstance(value, dict):
        if set(value) == {"contains"}:
            return Contains(field, _scalar(value["contains"], f"{where}.contains"))
        if set(value) == {"in"} and isinstance(value["in"], list) and value["in"]:
            return Or(tuple(Eq(field, _scalar(v, f"{where}.in[{i}]")) for i, v in enumerate(value["in"])))
        raise _bad(where, "use a plain value for equality, or {\"contains\": value}")
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
        raise _bad(where, f"'{key}' takes an object with gt, gte, lt or lte")
    bounds: dict[str, float] = {}
    for op, moment in value.items():
        if isinstance(moment, bool) or not isinstance(moment, (str, int, float)):
            raise _bad(f"{where}.{op}", "expected a date, a datetime or epoch seconds/ms")
        try:
            bounds[op] = parse_chat_time(moment).timestamp() * 1000
        except ValueError as exc:
            raise _bad(f"{where}.{op}", str(exc)) from None
    return Range(key, **bounds)


def asks_for_status(node: Node | None) -> bool:
    """True when the filter names `status`: then archived memories are not hidden."""
    if node is None:
        return False
    if isinstance(node, (And, Or)):
        return any(asks_for_status(n) for n in node.items)
    return node.field == "status"
