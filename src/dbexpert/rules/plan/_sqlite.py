"""What the SQLite plan rules share: the loops of an EXPLAIN QUERY PLAN, and what the query text
(when it was pasted with the plan) says about them.

EXPLAIN QUERY PLAN names each loop by the alias the query gave it and shows no row counts, no filter
and no join condition: the columns an index needs come from the loop's constraint ``(a=? AND b>?)``
or, for a full scan or a sort, from the query's WHERE / ON / ORDER BY / GROUP BY clauses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from dbexpert.model.plan import NodeInPlan, Plan, PlanNode
from dbexpert.rules.plan._plan import compared_columns

LOOPS = frozenset({"SCAN", "SEARCH"})
NO_COUNTS = "EXPLAIN QUERY PLAN (SQLite shows no row counts or costs)"
_CONSTRAINT = re.compile(r"(\w+)\s*(=|>=|<=|>|<|IS|IN)")
_KEYWORDS = frozenset(
    "where on join left right inner outer cross natural full using group order limit having window "
    "union except intersect select as set values returning".split()
)
_SOURCE = re.compile(r"\b(?:FROM|JOIN)\s+([\w.\"`\[\]]+)(?:\s+(?:AS\s+)?(\w+))?", re.I)
_LITERAL_FILTER = re.compile(
    r"(?<![\w.])(?:(\w+)\.)?(\w+)\s*(?:=|==|<>|!=|<=|>=|<|>|\bIN\b|\bLIKE\b|\bGLOB\b|\bBETWEEN\b|\bIS\b)\s*"
    r"(?:'|-?\d|\?|:\w|\$\w|@\w|\((?!\s*SELECT\b)|NULL\b|TRUE\b|FALSE\b)",
    re.I,
)
_CLAUSE_END = r"(?=\bGROUP\s+BY\b|\bORDER\s+BY\b|\bHAVING\b|\bLIMIT\b|\bWINDOW\b|\bUNION\b|\bEXCEPT\b|\bINTERSECT\b|\)|;|$)"


def query(plan: Plan) -> str | None:
    text = plan.attrs.get("query")
    return text if isinstance(text, str) and text else None


def parent_of(plan: Plan) -> Mapping[int, PlanNode | None]:
    """Each node's parent, by node identity (nodes are values: equal nodes may sit in two places)."""
    return {id(node): parent for parent, node in plan.parents()}


def ancestors(site: NodeInPlan) -> list[PlanNode]:
    parents = parent_of(site.plan)
    found: list[PlanNode] = []
    parent = parents.get(id(site.node))
    while parent is not None:
        found.append(parent)
        parent = parents.get(id(parent))
    return found


def earlier_loops(site: NodeInPlan) -> list[PlanNode]:
    """The loops printed before this node under the same parent: SQLite lists the outer loops first."""
    siblings = site.parent.children if site.parent is not None else ()
    earlier: list[PlanNode] = []
    for sibling in siblings:
        if sibling is site.node:
            break
        if sibling.node_type in LOOPS:
            earlier.append(sibling)
    return earlier


def derived_names(plan: Plan) -> set[str]:
    """Names that are subqueries or CTEs, not tables: CO-ROUTINE / MATERIALIZE nodes and WITH names."""
    names = {n.relation for n in plan.nodes() if n.node_type in ("CO-ROUTINE", "MATERIALIZE") and n.relation}
    text = query(plan) or ""
    names.update(re.findall(r"(?:\bWITH(?:\s+RECURSIVE)?|,)\s+(\w+)(?:\s*\([^)]*\))?\s+AS\s*(?:NOT\s+)?(?:MATERIALIZED\s*)?\(", text, re.I))
    return names


def table_of(node: PlanNode, plan: Plan) -> tuple[str, str]:
    """(table, name the plan uses) of a loop: older SQLite prints ``TABLE t AS a``, newer only ``a``,
    which the query's FROM / JOIN clauses map back to its table when the query came with the plan."""
    shown = node.alias or node.relation or ""
    if node.alias and node.relation:
        return node.relation, shown
    for table, alias in _SOURCE.findall(query(plan) or ""):
        table = table.strip('"`[]')
        if alias and alias.lower() not in _KEYWORDS and alias == shown:
            return table, shown
    return shown, shown


def constraint_columns(node: PlanNode) -> list[tuple[str, str]]:
    """``(a=? AND b>?)`` -> ``[("a", "="), ("b", ">")]``."""
    return [(column, op) for column, op in _CONSTRAINT.findall(node.index_cond or "") if column != "rowid"]


def filtered_columns(plan: Plan, name: str, table: str) -> list[str]:
    """Columns of ``name`` (alias or table) the query compares in WHERE or ON, in order."""
    text = query(plan)
    if not text:
        return []
    parts = re.findall(rf"\b(?:WHERE|ON)\b(.*?){_CLAUSE_END}", text, re.I | re.S)
    single = len(_SOURCE.findall(text)) == 1
    found: list[str] = []
    for part in parts:
        qualified = _qualified(part, {name, table})
        loose = compared_columns(part, alias=None) if single else []
        for column in [*qualified, *loose]:
            if column not in found:
                found.append(column)
    return found


def literal_filters(plan: Plan, name: str, table: str) -> list[str]:
    """Columns of ``name`` the query's WHERE compares with a constant or a parameter (``a = ?``,
    ``b > 100``, ``c IN (1, 2)``): the filters an index on the scanned table could serve. A column
    compared with another table's column or a subquery's result is left out."""
    text = query(plan)
    if not text:
        return []
    single = len(_SOURCE.findall(text)) == 1
    found: list[str] = []
    for part in re.findall(rf"\bWHERE\b(.*?){_CLAUSE_END}", text, re.I | re.S):
        for qualifier, column in _LITERAL_FILTER.findall(part):
            if qualifier in (name, table) or (not qualifier and single):
                if column.lower() not in _KEYWORDS and column not in found:
                    found.append(column)
    return found


def clause_columns(plan: Plan, clause: str) -> list[str] | None:
    """The plain columns of ``ORDER BY`` / ``GROUP BY`` (with DESC kept), or of ``SELECT DISTINCT``;
    None when the query is unknown or the clause holds expressions an index cannot list as is."""
    text = query(plan)
    if not text:
        return None
    if clause == "DISTINCT":
        found = re.search(r"\bSELECT\s+DISTINCT\s+(.*?)\s+FROM\b", text, re.I | re.S)
    else:
        words = r"\s+".join(clause.split())
        found = re.search(rf"\b{words}\s+(.*?){_CLAUSE_END}", text, re.I | re.S)
    if found is None:
        return None
    items = [item.strip() for item in found.group(1).split(",")]
    columns: list[str] = []
    for item in items:
        match = re.fullmatch(r"(?:\w+\.)?(\w+)(\s+(?:ASC|DESC))?(?:\s+NULLS\s+(?:FIRST|LAST))?", item, re.I)
        if match is None:
            return None
        direction = (match.group(2) or "").strip().upper()
        columns.append(match.group(1) + (" DESC" if direction == "DESC" else ""))
    return columns


def create_index(table: str, columns: Iterable[str]) -> str:
    columns = list(columns)
    names = "_".join(c.split()[0] for c in columns)
    return f"CREATE INDEX {table}_{names}_idx ON {table} ({', '.join(columns)});"


def _qualified(text: str, names: set[str]) -> list[str]:
    """Columns referenced as ``name.column`` on either side of the conditions."""
    found: list[str] = []
    for name in sorted(names):
        for column in re.findall(rf"(?<![\w.]){re.escape(name)}\.(\w+)", text):
            if column not in found:
                found.append(column)
    return found
