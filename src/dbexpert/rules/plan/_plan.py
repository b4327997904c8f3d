"""What the plan rules share: where a node is, and which columns an EXPLAIN condition compares."""

from __future__ import annotations

import re

from dbexpert.model import Location
from dbexpert.model.plan import NodeInPlan, PlanNode

JOINS = frozenset({"Nested Loop", "Hash Join", "Merge Join"})
SORTS = frozenset({"Sort", "Incremental Sort"})
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_CAST = re.compile(r"::[\w .\"\[\]]+?(?=[\s),=<>!~]|$)")
_COMPARED = re.compile(
    r"(?<![\w.])((?:\w+\.)?\w+)\s*(?:=|<>|!=|<=|>=|<|>|~~\*?|!~~\*?|IS\b|= ANY\b)", re.IGNORECASE
)
_WORDS = frozenset({"and", "or", "not", "null", "true", "false", "any", "all"})


def location(site: NodeInPlan) -> Location:
    node = site.node
    return Location(path=site.plan.path, line=node.line, column=1, object=node.relation)


def table_name(node: PlanNode) -> str | None:
    if node.relation is None:
        return None
    return f"{node.schema}.{node.relation}" if node.schema else node.relation


def compared_columns(condition: str | None, alias: str | None = None) -> list[str]:
    """Columns a condition compares, in order, e.g. ``((a = 1) AND (b > 2))`` -> ``["a", "b"]``.

    With ``alias``, only ``alias.column`` references (and unqualified ones) count.
    """
    if not condition:
        return []
    text = _CAST.sub("", _LITERAL.sub("''", condition))
    found: list[str] = []
    for reference in _COMPARED.findall(text):
        qualifier, _, column = reference.rpartition(".")
        if alias is not None and qualifier and qualifier != alias:
            continue
        if column.lower() in _WORDS or column.isdigit() or column in found:
            continue
        found.append(column)
    return found


def join_columns(condition: str | None, alias: str | None) -> list[str]:
    """The columns of ``alias`` on either side of the equalities of a join condition."""
    if not condition or not alias:
        return []
    text = _CAST.sub("", _LITERAL.sub("''", condition))
    found: list[str] = []
    for left, right in re.findall(r"((?:\w+\.)?\w+)\s*=\s*((?:\w+\.)?\w+)", text):
        for reference in (left, right):
            qualifier, _, column = reference.rpartition(".")
            if qualifier == alias and column not in found:
                found.append(column)
    return found


def ratio(estimated: float, actual: float) -> float:
    """How far off an estimate is, as a factor >= 1 in either direction (a row counts as at least 1)."""
    low, high = sorted((max(estimated, 1.0), max(actual, 1.0)))
    return high / low
