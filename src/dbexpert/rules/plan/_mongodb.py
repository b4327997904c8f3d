"""What the MongoDB plan rules share: the query's shape (equality, sort and range fields) and the index
the ESR guideline (equality first, then sort, then range) builds from it.

The filter comes from the stage's own ``filter`` when it has one, else from ``parsedQuery`` (both are
the normalised form: ``{"$and": [{"a": {"$eq": 1}}, ...]}``) or the command's ``filter``; the sort from
the command's ``sort`` or a ``SORT`` stage's ``sortPattern``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dbexpert.model.plan import Plan, PlanNode

_EQUALITY = frozenset({"$eq", "$in", "$all"})
_RANGE = frozenset({"$gt", "$gte", "$lt", "$lte", "$ne", "$nin", "$regex", "$exists", "$type", "$not", "$elemMatch", "$size", "$mod"})
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")


@dataclass(frozen=True, slots=True)
class QueryShape:
    equality: tuple[str, ...]
    sort: tuple[tuple[str, int], ...]
    range: tuple[str, ...]
    unindexable: tuple[str, ...]  # top-level operators no single index serves ($or, $expr, $text, ...)

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.equality, *(f for f, _ in self.sort), *self.range)

    def esr_keys(self, extra: Iterable[tuple[str, int]] = ()) -> list[tuple[str, int]]:
        """Equality fields, then the sort fields in their directions, then range fields, then ``extra``."""
        keys: list[tuple[str, int]] = []
        for field, direction in (
            *((f, 1) for f in self.equality),
            *self.sort,
            *((f, 1) for f in self.range),
            *extra,
        ):
            if field not in (k for k, _ in keys):
                keys.append((field, direction))
        return keys


def shape(plan: Plan, node: PlanNode | None = None) -> QueryShape:
    """The shape of the plan's query; the filter of ``node`` (a COLLSCAN's own) wins when it has one."""
    query: Any = None
    if node is not None and node.filter:
        try:
            query = json.loads(node.filter)
        except json.JSONDecodeError:
            query = None
    if not query:
        query = plan.attrs.get("parsed_query") or command(plan).get("filter") or {}
    equality: list[str] = []
    ranges: list[str] = []
    unindexable: list[str] = []
    _classify(query, equality, ranges, unindexable)
    sort = sort_keys(plan)
    sort_fields = {f for f, _ in sort}
    return QueryShape(
        equality=tuple(f for f in equality if f not in sort_fields),
        sort=sort,
        range=tuple(f for f in ranges if f not in equality and f not in sort_fields),
        unindexable=tuple(unindexable),
    )


def command(plan: Plan) -> Mapping[str, Any]:
    found = plan.attrs.get("command")
    return found if isinstance(found, Mapping) else {}


def sort_keys(plan: Plan) -> tuple[tuple[str, int], ...]:
    pattern = command(plan).get("sort")
    if not isinstance(pattern, Mapping):
        pattern = next((n.attrs.get("sortPattern") for n in plan.nodes() if n.node_type == "SORT"), None)
    if not isinstance(pattern, Mapping):
        return ()
    return tuple((str(f), -1 if d == -1 else 1) for f, d in pattern.items() if d in (1, -1))


def create_index(plan: Plan, keys: Iterable[tuple[str, int]]) -> str:
    """``db.orders.createIndex({ status: 1, created_at: -1 })``."""
    collection = plan.attrs.get("collection") or "collection"
    handle = f"db.{collection}" if _IDENT.match(str(collection)) else f"db.getCollection({json.dumps(collection)})"
    body = ", ".join(f"{f if _IDENT.match(f) else json.dumps(f)}: {d}" for f, d in keys)
    return f"{handle}.createIndex({{ {body} }})"


def key_pattern(node: PlanNode) -> list[tuple[str, Any]]:
    pattern = node.attrs.get("keyPattern")
    return list(pattern.items()) if isinstance(pattern, Mapping) else []


def counts_source(plan: Plan) -> str:
    verbosity = plan.attrs.get("verbosity", "queryPlanner")
    if verbosity == "queryPlanner":
        return "explain('queryPlanner'): the plan only, no counts (run explain('executionStats') for them)"
    return f"explain('{verbosity}')"


def _classify(query: Any, equality: list[str], ranges: list[str], unindexable: list[str]) -> None:
    if not isinstance(query, Mapping):
        return
    for key, value in query.items():
        if key == "$and" and isinstance(value, list):
            for part in value:
                _classify(part, equality, ranges, unindexable)
        elif key.startswith("$"):
            unindexable.append(key)
        elif isinstance(value, Mapping) and value and all(str(op).startswith("$") for op in value):
            target = equality if set(value) <= _EQUALITY else ranges
            if set(value) & (_EQUALITY | _RANGE) and key not in target:
                target.append(key)
        elif key not in equality:
            equality.append(key)
