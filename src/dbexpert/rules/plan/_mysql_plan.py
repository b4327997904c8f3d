"""What the MySQL/MariaDB plan rules share: how many rows a table access read and kept, from JSON
(estimates or MariaDB ANALYZE) and TREE (estimates or EXPLAIN ANALYZE) alike, and the index to offer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dbexpert.model.plan import NodeInPlan, PlanNode
from dbexpert.rules.plan._plan import compared_columns, join_columns

_QUALIFIED = re.compile(r"\b\w+\.(\w+\.\w+)\b")
_EQUALITY = re.compile(r"(?<![\w.])((?:\w+\.)?\w+)\s*(?:=|<=>)(?![=>])")


@dataclass(frozen=True, slots=True)
class Access:
    """One table access: rows read (over all loops), rows its condition kept, and how we know."""

    node: PlanNode
    table: str
    condition: str | None
    examined: float
    kept: float
    source: str

    @property
    def kept_fraction(self) -> float:
        return self.kept / self.examined if self.examined else 1.0

    def mostly_discarded(self, min_rows: float, max_kept_fraction: float) -> bool:
        """Reads at least ``min_rows`` rows and keeps at most ``max_kept_fraction`` of them."""
        return self.examined >= min_rows and self.kept_fraction <= max_kept_fraction


def access(site: NodeInPlan) -> Access | None:
    """The access facts of a table-reading node, or None for other nodes and internal tables."""
    node = site.node
    if "access_type" not in node.attrs or not node.relation or node.relation.startswith("<"):
        return None
    parent_filter = site.parent.filter if site.parent and site.parent.node_type == "Filter" else None
    condition = node.filter or node.join_filter or parent_filter
    if site.plan.format == "tree":
        return _tree_access(site, node, condition)
    if node.analyzed:
        loops = node.actual_loops or 0
        examined = node.rows_read or 0.0
        kept = (node.actual_rows or 0.0) * loops
        block = node.attrs.get("join_buffer")
        if isinstance(block, dict) and block.get("r_filtered") is not None:
            kept *= float(block["r_filtered"]) / 100
        return Access(node, node.relation, condition, examined, kept, "ANALYZE FORMAT=JSON (r_loops, r_rows, r_filtered)")
    examined = node.plan_rows or 0.0
    filtered = float(node.attrs.get("filtered", 100.0))
    return Access(node, node.relation, condition, examined, examined * filtered / 100, "EXPLAIN FORMAT=JSON estimates (rows, filtered)")


def _tree_access(site: NodeInPlan, node: PlanNode, condition: str | None) -> Access:
    parent = site.parent if site.parent and site.parent.node_type == "Filter" else None
    if node.analyzed:
        examined = (node.actual_rows or 0.0) * (node.actual_loops or 0)
        kept = examined if parent is None else (parent.actual_rows or 0.0) * (parent.actual_loops or 0)
        return Access(node, node.relation or "", condition, examined, kept, "EXPLAIN ANALYZE (actual rows x loops)")
    examined = node.plan_rows or 0.0
    kept = examined if parent is None or parent.plan_rows is None else parent.plan_rows
    return Access(node, node.relation or "", condition, examined, kept, "EXPLAIN FORMAT=TREE estimates (rows)")


def rows_below(node: PlanNode, plan_format: str) -> tuple[float, list[Access]]:
    """Rows read by the table accesses under ``node``, with those accesses."""
    from dbexpert.model.plan import Plan, iter_sites

    total = 0.0
    found: list[Access] = []
    plan = Plan(root=node, format=plan_format)
    for site in iter_sites(plan):
        facts = access(site)
        if facts is not None:
            total += facts.examined
            found.append(facts)
    return total, found


def plain(condition: str | None) -> str | None:
    """A condition without backticks and schema qualifiers: ``shop.orders.a`` -> ``orders.a``."""
    if condition is None:
        return None
    return _QUALIFIED.sub(r"\1", condition.replace("`", ""))


def filter_columns(facts: Access) -> list[str]:
    """Columns of the accessed table the condition compares, equality columns first."""
    condition = plain(facts.condition)
    alias = facts.node.alias or facts.node.relation
    columns = compared_columns(condition, alias) or join_columns(condition, alias)
    equal = [c for c in equality_columns(condition, alias) if c in columns]
    return equal + [c for c in columns if c not in equal]


def equality_columns(condition: str | None, alias: str | None) -> list[str]:
    found: list[str] = []
    for reference in _EQUALITY.findall(plain(condition) or ""):
        qualifier, _, column = reference.rpartition(".")
        if (qualifier and alias and qualifier != alias) or column.isdigit() or column in found:
            continue
        found.append(column)
    return found


def key_columns(keys: Iterator[str] | tuple[str, ...]) -> list[str]:
    """Sort/group keys as index columns: ``orders.created_at DESC`` -> ``created_at DESC``."""
    columns: list[str] = []
    for key in keys:
        text = plain(key) or ""
        name, _, direction = text.strip().partition(" ")
        if not re.fullmatch(r"(?:\w+\.)?\w+", name):
            return []
        column = name.split(".")[-1]
        columns.append(f"{column} {direction.strip()}".strip() if direction.strip().upper() == "DESC" else column)
    return columns


def ordered_index(accesses: list[Access], keys: list[str]) -> tuple[list[str], str | None]:
    """The index that returns one table's rows in ``keys`` order: its WHERE equality columns, then
    the keys; ``([], None)`` when several tables feed the sort or the keys are unknown."""
    if len(accesses) != 1 or not keys:
        return [], None
    facts = accesses[0]
    alias = facts.node.alias or facts.node.relation
    columns = [c for c in equality_columns(plain(facts.condition), alias) if c not in keys] + keys
    return columns, create_index(facts.table, columns)


def create_index(table: str, columns: list[str]) -> str:
    """An online index build both MySQL (InnoDB) and MariaDB accept."""
    name = "_".join([table, *(c.split()[0] for c in columns), "idx"])[:64]
    return f"CREATE INDEX {name} ON {table} ({', '.join(columns)}) ALGORITHM=INPLACE LOCK=NONE;"
