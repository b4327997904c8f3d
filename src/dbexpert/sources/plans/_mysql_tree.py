"""MySQL 8 ``EXPLAIN FORMAT=TREE`` and ``EXPLAIN ANALYZE`` -> Plan.

Each node is one ``-> `` line, indented by four spaces per level::

    -> Filter: (t3.i > 8)  (cost=1.75 rows=5) (actual time=0.019..0.021 rows=6 loops=1)
        -> Table scan on t3  (cost=1.75 rows=15) (actual time=0.017..0.019 rows=15 loops=1)

A line that does not start with ``->`` continues the node above it (the reference manual wraps
``(actual ...)`` onto its own line). ``plan_rows`` is the ``rows=`` estimate of the node's output;
``actual_rows`` is per loop, as PostgreSQL counts. Table accesses get ``attrs["access_type"]`` with
MySQL's traditional name (``Table scan`` -> ``ALL``, ``Index lookup`` -> ``ref``, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dbexpert.model import Engine, InputError
from dbexpert.model.plan import Plan, PlanNode

_NUM = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_COST = re.compile(rf"\(cost=(?P<cost>{_NUM})(?:\.\.(?P<tc>{_NUM}))? rows=(?P<rows>{_NUM})\)")
_ROWS_ONLY = re.compile(rf"\(rows=(?P<rows>{_NUM})\)")
_ACTUAL = re.compile(
    rf"\(actual time=(?P<st>{_NUM})\.\.(?P<tt>{_NUM}) rows=(?P<rows>{_NUM}) loops=(?P<loops>\d+)\)"
)
_NEVER = "(never executed)"
# Table accesses: "<kind> on <table> [using <index>] [(<condition>)] [over (<range>)]".
_ACCESS = re.compile(
    r"^(?P<kind>Table scan|Index scan|Covering index scan|Index range scan|Covering index range scan|"
    r"Index lookup|Covering index lookup|Single-row index lookup|Single-row covering index lookup|"
    r"Index lookup or null|Full-text index search|Constant row from|Index skip scan|"
    r"Covering index skip scan|Group aggregate with index skip scan|Index range scan \(Multi-Range Read\))"
    r" (?:on )?(?P<table>`[^`]+`|\S+)(?: using (?P<index>`[^`]+`|\S+))?(?P<rest>.*)$"
)
ACCESS_TYPES = {
    "Table scan": "ALL",
    "Index scan": "index",
    "Covering index scan": "index",
    "Index range scan": "range",
    "Covering index range scan": "range",
    "Index range scan (Multi-Range Read)": "range",
    "Index skip scan": "range",
    "Covering index skip scan": "range",
    "Group aggregate with index skip scan": "range",
    "Index lookup": "ref",
    "Covering index lookup": "ref",
    "Index lookup or null": "ref_or_null",
    "Single-row index lookup": "eq_ref",
    "Single-row covering index lookup": "eq_ref",
    "Full-text index search": "fulltext",
    "Constant row from": "const",
}


@dataclass
class _Draft:
    indent: int
    line: int
    text: str
    children: list[_Draft] = field(default_factory=list)


def parse_tree(lines: list[tuple[int, str]], path: str) -> Plan:
    root: _Draft | None = None
    stack: list[_Draft] = []
    for number, line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        if not body.startswith("->"):
            if not stack:
                raise InputError(f"{path}:{number}:{indent + 1}: expected a TREE plan line starting with '-> '")
            stack[-1].text += " " + body
            continue
        draft = _Draft(indent=indent, line=number, text=body[2:].strip())
        if root is None:
            root, stack = draft, [draft]
            continue
        if indent <= root.indent:
            raise InputError(
                f"{path}:{number}:{indent + 1}: a second plan root: expected one EXPLAIN FORMAT=TREE plan"
            )
        while stack and stack[-1].indent >= indent:
            stack.pop()
        stack[-1].children.append(draft)
        stack.append(draft)
    if root is None:  # pragma: no cover - parse_mysql_plan checked there is a "->" line
        raise InputError(f"{path}:1:1: no query plan found")
    node = _build(root, path)
    return Plan(root=node, path=path, format="tree", engine=Engine.MYSQL)


def _build(draft: _Draft, path: str) -> PlanNode:
    values: dict[str, Any] = {"line": draft.line}
    attrs: dict[str, Any] = {}
    text = draft.text
    actual = _ACTUAL.search(text)
    if actual:
        values.update(
            actual_startup_time=float(actual["st"]),
            actual_total_time=float(actual["tt"]),
            actual_rows=float(actual["rows"]),
            actual_loops=int(actual["loops"]),
        )
        text = text[: actual.start()] + text[actual.end() :]
    elif _NEVER in text:
        values.update(never_executed=True, actual_loops=0, actual_rows=0.0)
        text = text.replace(_NEVER, "")
    cost = _COST.search(text) or _ROWS_ONLY.search(text)
    if cost:
        values["plan_rows"] = float(cost["rows"])
        if cost.re is _COST:
            values["total_cost"] = float(cost["tc"] or cost["cost"])
        text = text[: cost.start()] + text[cost.end() :]
    text = text.strip()
    _check_complete(text, draft, path)
    values.update(_describe(text, attrs))
    attrs["text"] = draft.text
    children = tuple(_build(child, path) for child in draft.children)
    return PlanNode(children=children, attrs=MappingProxyType(attrs), **values)


def _check_complete(text: str, draft: _Draft, path: str) -> None:
    """A truncated line leaves an open parenthesis or an unfinished (cost=/actual annotation."""
    depth = 0
    for char in re.sub(r"'(?:[^']|'')*'", "''", text):
        depth += {"(": 1, ")": -1}.get(char, 0)
    if depth != 0 or "(cost=" in text or "(actual" in text or not text:
        column = draft.indent + 4
        raise InputError(
            f"{path}:{draft.line}:{column}: cannot read {draft.text[:40]!r}: expected 'Operation  "
            "(cost=… rows=…) (actual time=… rows=… loops=…)'; is the plan truncated?"
        )


def _describe(text: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """Node type, table, index and condition from the node's words."""
    access = _ACCESS.match(text)
    if access:
        kind = access["kind"]
        attrs["access_type"] = ACCESS_TYPES[kind]
        table = access["table"].strip("`")
        values: dict[str, Any] = {"node_type": kind, "relation": table, "alias": table}
        if access["index"]:
            values["index_name"] = access["index"].strip("`")
        rest = access["rest"].strip()
        if rest:
            values["index_cond"] = rest
        return values
    name, sep, detail = text.partition(": ")
    detail = detail.strip()
    if name == "Filter":
        return {"node_type": "Filter", "filter": detail}
    if name in {"Sort", "Sort row IDs"}:
        attrs["using_filesort"] = True
        keys = re.sub(r",\s*limit input to \d+ row\(s\) per chunk$", "", detail)
        return {"node_type": name, "sort_key": tuple(k.strip() for k in keys.split(",") if k.strip())}
    if "temporary" in text.lower():
        attrs["using_temporary_table"] = True
    join = re.match(r"^(?P<kind>(?:Nested loop|Inner hash|Left hash|Hash|Semi hash|Anti hash)\b.*?join)(?: \((?P<cond>.*)\))?$", text)
    if join and join["cond"]:
        return {"node_type": join["kind"], "join_filter": join["cond"]}
    if sep and name in {"Aggregate", "Group aggregate", "Limit", "Remove duplicates from input sorted on"}:
        attrs["detail"] = detail
        return {"node_type": name}
    return {"node_type": text}
