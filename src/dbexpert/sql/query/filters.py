"""Detectors for filters that defeat a B-tree: patterns with a leading wildcard, OR across columns,
inclusive BETWEEN on timestamps, and IN lists with many values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from sqlglot import exp

from dbexpert.sql.query.sargable import in_filter, is_constant
from dbexpert.sql.query.tree import ColumnRef, Match, Query, own_tables

_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_END_OF_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T]23:59:59(\.9+)?$")
_SIMPLE = (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In, exp.Like, exp.ILike, exp.Is, exp.Between)


def leading_wildcard_likes(query: Query) -> Iterator[Match]:
    """``col [NOT] [I]LIKE '%abc'`` (or ``'_abc'``, ``'%' || $1``, ``CONCAT('%', ?)``) in a filter.
    Facts: ``pattern`` (the leading constant text), ``negated``, ``case_insensitive``."""
    for like in (*query.find_all(exp.Like), *query.find_all(exp.ILike)):
        if not in_filter(like):
            continue
        subject = like.this
        if not isinstance(subject, exp.Column):
            continue
        head = _leading_text(like.expression)
        if head is None or not head.startswith(("%", "_")):
            continue
        negated = bool(like.args.get("negate")) or isinstance(like.parent, exp.Not)
        yield query.match(
            like,
            columns=(query.column_ref(subject),),
            pattern=head,
            negated=negated,
            case_insensitive=isinstance(like, exp.ILike),
        )


def _leading_text(pattern: exp.Expr) -> str | None:
    """The constant text a LIKE pattern starts with: the literal, or the first literal of a concatenation."""
    while True:
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            return pattern.name
        if isinstance(pattern, exp.DPipe):
            pattern = pattern.this
        elif isinstance(pattern, exp.Concat) and pattern.expressions:
            pattern = pattern.expressions[0]
        else:
            return None


def or_across_columns(query: Query) -> Iterator[Match]:
    """A WHERE or JOIN … ON condition that is, as a whole, an OR of simple conditions on more than one
    column (``a = 1 OR b = 2``). Facts: ``join`` (the OR is a join condition), ``tables``, ``union``
    (the WHERE as a UNION rewrite, when the statement is a plain single-level SELECT)."""
    for where in query.find_all(exp.Where):
        condition = _unparen(where.this)
        if isinstance(condition, exp.Or):
            found = _columns_of_or(query, condition)
            if found is not None:
                select = where.parent
                yield query.match(
                    condition,
                    columns=found,
                    join=False,
                    tables=tuple(sorted({c.table or "" for c in found})),
                    single_table=isinstance(select, exp.Select) and _single_table(select),
                    selected=_selected(select),
                    union=_union(query, where, condition),
                )
    for join in query.find_all(exp.Join):
        condition = _unparen(join.args.get("on"))
        if isinstance(condition, exp.Or):
            found = _columns_of_or(query, condition, joined=True)
            if found is not None:
                yield query.match(
                    condition,
                    columns=found,
                    join=True,
                    tables=tuple(sorted({c.table or "" for c in found})),
                    union=None,
                )


def _unparen(node: exp.Expr | None) -> exp.Expr | None:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _disjuncts(condition: exp.Expr) -> list[exp.Expr]:
    node = _unparen(condition)
    if isinstance(node, exp.Or):
        return _disjuncts(node.this) + _disjuncts(node.expression)
    return [node] if node is not None else []


def _columns_of_or(query: Query, condition: exp.Or, joined: bool = False) -> tuple[ColumnRef, ...] | None:
    """The columns the OR's branches filter, when every branch is a simple condition on one column (or,
    for a join, a comparison of columns) and they are not all the same column."""
    columns: list[ColumnRef] = []
    for branch in _disjuncts(condition):
        if not isinstance(branch, _SIMPLE):
            return None
        subject = branch.this
        if not isinstance(subject, exp.Column):
            return None
        others = [v for k, v in branch.args.items() if k != "this" and isinstance(v, exp.Expr)]
        others += list(branch.expressions)
        if joined:
            if not all(isinstance(o, exp.Column) or is_constant(o) for o in others):
                return None
        elif not all(is_constant(o) for o in others):
            return None
        columns.append(query.column_ref(subject))
    distinct = tuple(dict.fromkeys(columns))
    return distinct if len({(c.table, c.column.lower()) for c in distinct}) > 1 else None


def _single_table(select: exp.Select) -> bool:
    return len(own_tables(select)) == 1 and not select.args.get("joins")


def _selected(select: exp.Expr | None) -> frozenset[str] | None:
    """The plain column names of a SELECT's list (lower case); None for ``*`` or a non-SELECT."""
    if not isinstance(select, exp.Select):
        return None
    names: set[str] = set()
    for item in select.expressions:
        inner = item.unalias() if isinstance(item, exp.Alias) else item
        if isinstance(inner, exp.Star) or (
            isinstance(inner, exp.Column) and isinstance(inner.this, exp.Star)
        ):
            return None
        if isinstance(inner, exp.Column):
            names.add(inner.name.lower())
    return frozenset(names)


def _union(query: Query, where: exp.Where, condition: exp.Or) -> str | None:
    """``SELECT … WHERE a UNION SELECT … WHERE b``, for a plain SELECT without grouping, DISTINCT,
    ORDER BY, LIMIT or locking."""
    select = where.parent
    if not isinstance(select, exp.Select) or select is not query.node:
        return None
    if any(
        select.args.get(k)
        for k in ("group", "having", "order", "limit", "offset", "distinct", "locks", "with")
    ):
        return None
    if any(isinstance(e, exp.AggFunc) for e in select.find_all(exp.AggFunc)):
        return None
    if select.args.get("windows"):
        return None
    # WHERE is the last clause left, so each branch is the SELECT without it plus its own WHERE.
    select.set("where", None)
    try:
        head = query.sql(select)
    finally:
        select.set("where", where)
    return " UNION ".join(f"{head} WHERE {query.sql(branch)}" for branch in _disjuncts(condition))


def between_timestamps(query: Query) -> Iterator[Match]:
    """``col BETWEEN lo AND hi`` on a column in a filter. Facts: ``upper`` (``date`` for a date-only
    upper bound, ``end_of_day`` for ``… 23:59:59``, None otherwise), ``next_day`` (the day after the
    upper bound), ``rewrite`` available when ``next_day`` is known: ``col >= lo AND col < next_day``."""
    for between in query.find_all(exp.Between):
        subject = between.this
        if not isinstance(subject, exp.Column) or not in_filter(between):
            continue
        if isinstance(between.parent, exp.Not) or between.args.get("symmetric"):
            continue
        low, high = between.args.get("low"), between.args.get("high")
        if low is None or high is None or not (is_constant(low) and is_constant(high)):
            continue
        upper, day = _upper_bound(high)
        rewrite = None
        if day is not None:
            bounds: exp.Expr = exp.and_(
                exp.GTE(this=subject.copy(), expression=low.copy()),
                exp.LT(
                    this=subject.copy(), expression=exp.Literal.string((day + timedelta(days=1)).isoformat())
                ),
            )
            if not isinstance(between.parent, exp.Where | exp.And | exp.Paren):
                bounds = exp.Paren(this=bounds)
            rewrite = query.sql_with(between, bounds)
        literal = isinstance(high, exp.Literal) or (
            isinstance(high, exp.Cast) and isinstance(high.this, exp.Literal)
        )
        yield query.match(
            between,
            rewrite=rewrite,
            columns=(query.column_ref(subject),),
            upper=upper,
            upper_literal=literal,
            high=query.sql(high),
            next_day=(day + timedelta(days=1)).isoformat() if day else None,
        )


def _upper_bound(high: exp.Expr) -> tuple[str | None, date | None]:
    if isinstance(high, exp.Cast) and isinstance(high.this, exp.Literal):
        high = high.this
    if not (isinstance(high, exp.Literal) and high.is_string):
        return None, None
    for kind, pattern in (("date", _DAY_RE), ("end_of_day", _END_OF_DAY_RE)):
        found = pattern.match(high.name.strip())
        if found:
            try:
                return kind, date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                return None, None
    return None, None


def large_in_lists(query: Query, minimum: int) -> Iterator[Match]:
    """``x [NOT] IN (v1, …, vN)`` with at least ``minimum`` literals or parameters. Facts: ``values``,
    ``parameters`` (how many are bind parameters), ``element`` (``bigint``/``numeric``/``text`` when the
    literals tell), ``negated``, ``column_sql``."""
    for node in query.find_all(exp.In):
        values = node.expressions
        if len(values) < minimum or node.args.get("query") is not None:
            continue
        if not all(isinstance(v, exp.Literal | exp.Parameter | exp.Placeholder | exp.Neg) for v in values):
            continue
        parameters = sum(isinstance(v, exp.Parameter | exp.Placeholder) for v in values)
        literals = [v for v in values if isinstance(v, exp.Literal)]
        element = None
        if literals and all(not v.is_string for v in literals):
            element = "bigint" if all(v.name.isdigit() for v in literals) else "numeric"
        elif literals and all(v.is_string for v in literals):
            element = "text"
        subject = node.this
        yield query.match(
            node,
            columns=(query.column_ref(subject),) if isinstance(subject, exp.Column) else (),
            values=len(values),
            parameters=parameters,
            element=element,
            negated=isinstance(node.parent, exp.Not),
            column_sql=query.sql(subject),
        )


def any_array_rewrite(query: Query, match: Match, array_type: str) -> str | None:
    """The statement with ``x IN (…)`` replaced by ``x = ANY($n::type[])`` (``<> ALL`` when negated),
    ``$n`` the next free parameter number (PostgreSQL only)."""
    node = match.node
    numbers = [int(p.name) for p in query.find_all(exp.Parameter) if p.name.isdigit()]
    kept = {int(v.name) for v in node.expressions if isinstance(v, exp.Parameter) and v.name.isdigit()}
    # the array takes the list's first parameter number, or the next free one after a literal list
    number = min(kept) if kept else max(numbers, default=0) + 1
    array = exp.cast(exp.Parameter(this=exp.Literal.number(number)), f"{array_type}[]", dialect="postgres")
    negated = match.facts["negated"]
    replacement = (
        exp.NEQ(this=node.this.copy(), expression=exp.All(this=exp.Paren(this=array)))
        if negated
        else exp.EQ(this=node.this.copy(), expression=exp.Any(this=exp.Paren(this=array)))
    )
    replaced = node.parent if negated and isinstance(node.parent, exp.Not) else node
    return query.sql_with(replaced, replacement)
