"""What the plan rules share: where a node is, and which columns an EXPLAIN condition compares."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from dbexpert.model import Location
from dbexpert.model.plan import NodeInPlan, Plan, PlanNode

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


# -- where the time went -----------------------------------------------------------------------------

_GATHERS = frozenset({"Gather", "Gather Merge"})


def node_times(plan: Plan) -> dict[int, float]:
    """Each node's exclusive time in ms (by ``id`` of the node): its own work, children excluded.

    EXPLAIN ANALYZE gives per-loop averages that include the children, so a node's total is
    ``actual_total_time * loops`` and its own part is that minus its children's totals. Below a
    Gather, every process (workers and leader) runs the node once and ``loops`` counts them: the
    wall-clock time is the per-process average, not the sum. Estimates-only plans give {}.
    """
    if not plan.analyzed:
        return {}
    times: dict[int, float] = {}

    def total(node: PlanNode, processes: int) -> float:
        loops = node.actual_loops or 0
        per_loop = node.actual_total_time or 0.0
        return per_loop * max(loops / processes, 1.0 if loops else 0.0)

    def visit(node: PlanNode, processes: int) -> float:
        own = total(node, processes)
        below = processes
        if node.node_type in _GATHERS:
            below = (node.workers_launched or 0) + 1  # the leader takes part too (the default)
        children = sum(visit(child, below) for child in node.children)
        times[id(node)] = max(own - children, 0.0)
        return own

    visit(plan.root, 1)
    return times


def node_costs(plan: Plan) -> dict[int, float]:
    """Each node's exclusive estimated cost (by ``id``): its total cost minus its children's."""
    costs: dict[int, float] = {}
    for node in plan.nodes():
        below = sum(child.total_cost or 0.0 for child in node.children)
        costs[id(node)] = max((node.total_cost or 0.0) - below, 0.0)
    return costs


@dataclass(frozen=True, slots=True)
class TimeShares:
    """What part (0..1) of the plan each node accounts for, and how that was measured."""

    shares: dict[int, float]
    measured_by: str  # "exclusive actual time" or "exclusive estimated cost"
    total: float  # the whole: ms of the root's actual time, or the root's cost

    def of(self, node: PlanNode) -> float:
        return self.shares.get(id(node), 0.0)


def time_shares(plan: Plan) -> TimeShares:
    """Exclusive time (ANALYZE) or cost (estimates only) per node, as a fraction of the whole plan."""
    if plan.analyzed:
        values, how = node_times(plan), "exclusive actual time"
    else:
        values, how = node_costs(plan), "exclusive estimated cost"
    whole = sum(values.values())
    if whole <= 0:
        return TimeShares({}, how, 0.0)
    return TimeShares({key: min(value / whole, 1.0) for key, value in values.items()}, how, whole)


def exclusive_buffers(node: PlanNode) -> tuple[int, int]:
    """(shared hit, shared read) of the node itself: EXPLAIN's buffer counts include the children's."""
    hit = (node.shared_hit or 0) - sum(child.shared_hit or 0 for child in node.children)
    read = (node.shared_read or 0) - sum(child.shared_read or 0 for child in node.children)
    return max(hit, 0), max(read, 0)


def pretty_kb(kb: float) -> str:
    return f"{kb / 1024:.1f} MB" if kb >= 1024 else f"{kb:.0f} kB"


def work_mem_for(kb: float) -> str:
    """A power-of-two ``work_mem`` (in MB, at least 4MB) comfortably above ``kb``."""
    mb = max(4, 2 ** math.ceil(math.log2(max(kb / 1024, 1))))
    return f"{mb}MB"


# Rules that describe a symptom another finding on the same node usually explains (an index that
# reads fewer pages cures the cache misses): they rank after the cure when their time is equal.
SYMPTOMS = frozenset({"low-cache-hit-ratio"})
