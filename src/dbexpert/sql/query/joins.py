"""Detectors for joins: comma joins without a condition, join keys compared across types, and
DISTINCT over a join that only filters.

Each detector takes a :class:`Query` and yields :class:`Match` values; rewrites are transformations
of a copy of the tree, printed in the query's dialect.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbexpert.model import Engine
from dbexpert.sql.query.structure import conjuncts
from dbexpert.sql.query.tree import Match, Query


def _and(parts: list[exp.Expr]) -> exp.Expr | None:
    return exp.and_(*parts, copy=False) if parts else None


def _source_name(item: exp.Expr) -> str | None:
    if isinstance(item, exp.Table | exp.Subquery) and item.alias_or_name:
        return item.alias_or_name.lower()
    return None


def implicit_cross_joins(query: Query) -> Iterator[Match]:
    """``FROM a, b`` where nothing in the WHERE (nor an ON) relates ``b`` to the other tables.
    Only base tables count: a comma join to a derived table or a function is usually a single row."""
    ctes = {cte.alias.lower() for cte in query.find_all(exp.CTE) if cte.alias}
    for select in query.find_all(exp.Select):
        joins = select.args.get("joins") or []
        commas = [j for j in joins if _is_comma(query, j)]
        if not commas or select.args.get("from_") is None:
            continue
        sources = [select.args["from_"].this] + [j.this for j in joins]
        names = [_source_name(s) for s in sources]
        if any(n is None for n in names):
            continue
        conditions = conjuncts(select.args["where"].this if select.args.get("where") else None)
        conditions += [j.args["on"] for j in joins if j.args.get("on") is not None]
        groups = _connected(
            [n for n in names if n], conditions, bool(joins and any(j.args.get("using") for j in joins))
        )
        if groups is None or len(groups) == 1:
            continue
        base = {
            n
            for n, src in zip(names, sources, strict=True)
            if isinstance(src, exp.Table)
            and isinstance(src.this, exp.Identifier)
            and src.name.lower() not in ctes
        }
        reported = [next(g for g in groups if names[0] in g)]  # the FROM table's group is the base
        for join in commas:
            name = _source_name(join.this)
            table = join.this
            group = next(g for g in groups if name in g)
            if any(group is r for r in reported):
                continue
            reported.append(group)  # one finding per unrelated group, at its first table
            if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
                continue
            if table.name.lower() in ctes:
                continue
            others = sorted({n for g in groups if g is not group for n in g})
            if not any(n in base for n in others):
                continue  # the other side is a derived table or CTE: usually one row of parameters
            yield query.match(join.this, table=table.name, unrelated=tuple(others))


def _is_comma(query: Query, join: exp.Join) -> bool:
    """A join written with a comma. sqlglot's SQLite dialect reads ``a, b`` as ``CROSS JOIN`` (which
    SQLite treats alike), so there the text before the joined table tells them apart."""
    if any(join.args.get(key) for key in ("on", "using", "side", "method")):
        return False
    kind = join.args.get("kind")
    if not kind:
        return True
    if str(kind).upper() != "CROSS" or query.engine is not Engine.SQLITE:
        return False
    text = query.statement.text
    before = text[: max(0, query.offset(join.this) - query.statement.start)].rstrip()
    return before.endswith(",")


def _connected(names: list[str], conditions: list[exp.Expr], using: bool) -> list[set[str]] | None:
    """The groups of sources the conditions relate; None when a condition cannot be attributed (an
    unqualified column), since then it may relate anything."""
    if using:
        return None
    groups = [{n} for n in names]
    for condition in conditions:
        columns = list(condition.find_all(exp.Column))
        if any(not c.table for c in columns):
            return None
        touched = {c.table.lower() for c in columns} & set(names)
        if len(touched) < 2:
            continue
        merged = set().union(*(g for g in groups if g & touched))
        groups = [g for g in groups if not g & touched] + [merged]
    return groups


def join_key_pairs(query: Query) -> Iterator[Match]:
    """``a.x = b.y`` between columns of two different tables, in an ON or a WHERE. ``columns`` holds
    both sides (aliases resolved); the rule compares their types in the catalog."""
    for node in query.find_all(exp.Join, exp.Where):
        condition = node.args.get("on") if isinstance(node, exp.Join) else node.this
        for part in conjuncts(condition):
            if not isinstance(part, exp.EQ):
                continue
            left, right = part.this, part.expression
            if not isinstance(left, exp.Column) or not isinstance(right, exp.Column):
                continue
            a, b = query.column_ref(left), query.column_ref(right)
            if a.table is None or b.table is None or (left.table or a.table) == (right.table or b.table):
                continue
            yield query.match(part, columns=(a, b))


def distinct_over_filtering_joins(query: Query) -> Iterator[Match]:
    """``SELECT DISTINCT`` whose columns all come from one table, over an inner join to one other
    table used only to filter. ``columns``: the selected columns; facts: ``kept`` and ``filter``
    tables. The rewrite drops DISTINCT and the join for ``WHERE EXISTS (SELECT 1 FROM filter …)``."""
    for select in query.find_all(exp.Select):
        distinct = select.args.get("distinct")
        if distinct is None or distinct.args.get("on") is not None:
            continue
        joins = select.args.get("joins") or []
        if len(joins) != 1 or select.args.get("group") or select.args.get("from_") is None:
            continue
        join = joins[0]
        if join.args.get("side") or join.args.get("kind") not in (None, "INNER") or not join.args.get("on"):
            continue
        first, second = select.args["from_"].this, join.this
        if not isinstance(first, exp.Table) or not isinstance(second, exp.Table):
            continue
        kept_name = _only_source(select.expressions, {_source_name(first), _source_name(second)})
        if kept_name is None:
            continue
        order = select.args.get("order")
        if order is not None and _only_source(order.expressions, {kept_name}) is None:
            continue
        if any(isinstance(i.unalias(), exp.AggFunc) or i.find(exp.Window) for i in select.expressions):
            continue
        kept, other = (first, second) if _source_name(first) == kept_name else (second, first)
        columns = tuple(
            query.column_ref(c)
            for c in select.find_all(exp.Column)
            if c.parent_select is select and c.find_ancestor(exp.Order) is None and _in_list(c, select)
        )
        rewrite = _semi_join(query, select, kept, other, join)
        other_alias = other.alias_or_name.lower()
        joined_on = frozenset(
            column.name.lower()
            for part in conjuncts(join.args["on"])
            if isinstance(part, exp.EQ)
            for column in (part.this, part.expression)
            if isinstance(column, exp.Column) and column.table.lower() == other_alias
        )
        yield query.match(
            select, rewrite=rewrite, columns=columns, kept=kept.name, filter=other.name, joined_on=joined_on
        )


def _in_list(column: exp.Column, select: exp.Select) -> bool:
    node: exp.Expr | None = column
    while node is not None and node.parent is not select:
        node = node.parent
    return node is not None and node.arg_key == "expressions"


def _only_source(items: list[exp.Expr], names: set[str | None]) -> str | None:
    """The one source all columns of ``items`` are qualified by, when it is among ``names``."""
    seen: set[str] = set()
    for item in items:
        if isinstance(item, exp.Star):
            return None
        for column in item.find_all(exp.Column):
            if not column.table:
                return None
            seen.add(column.table.lower())
    return seen.pop() if len(seen) == 1 and seen <= names else None


def _semi_join(
    query: Query, select: exp.Select, kept: exp.Table, other: exp.Table, join: exp.Join
) -> str | None:
    kept_name, other_name = kept.alias_or_name.lower(), other.alias_or_name.lower()
    outer_parts: list[exp.Expr] = []
    inner_parts: list[exp.Expr] = list(conjuncts(join.args["on"]))
    for part in conjuncts(select.args["where"].this if select.args.get("where") else None):
        tables = {c.table.lower() for c in part.find_all(exp.Column) if c.table}
        if any(not c.table for c in part.find_all(exp.Column)):
            return None
        (inner_parts if other_name in tables else outer_parts).append(part)
    if not any(kept_name in {c.table.lower() for c in p.find_all(exp.Column)} for p in inner_parts):
        return None
    tree = query.copy()
    target = query.locate(tree, select)
    if not isinstance(target, exp.Select):
        return None
    probe = exp.select("1").from_(other.copy())
    probe.where(_and([p.copy() for p in inner_parts]), copy=False)
    target.set("distinct", None)
    target.set("joins", None)
    target.set("from_", exp.From(this=kept.copy()))
    target.set("where", None)
    target.where(_and([p.copy() for p in outer_parts] + [exp.Exists(this=probe)]), copy=False)
    return query.sql(tree)
