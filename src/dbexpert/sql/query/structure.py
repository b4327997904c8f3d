"""Detectors for subqueries: correlated scalar subqueries, counting to test existence, and
``IN (subquery)`` the engine cannot turn into a semi-join.

Each detector takes a :class:`Query` and yields :class:`Match` values; rewrites are transformations
of a copy of the tree, printed in the query's dialect.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbexpert.sql.query.tree import Match, Query, own_tables

# Comparisons of a count with a constant that mean "at least one row" (True) or "no row" (False).
_EXISTENCE: dict[tuple[type, int], bool] = {
    (exp.GT, 0): True,
    (exp.GTE, 1): True,
    (exp.NEQ, 0): True,
    (exp.EQ, 0): False,
    (exp.LT, 1): False,
    (exp.LTE, 0): False,
}
_FLIPPED: dict[type, type] = {
    exp.GT: exp.LT,
    exp.LT: exp.GT,
    exp.GTE: exp.LTE,
    exp.LTE: exp.GTE,
    exp.EQ: exp.EQ,
    exp.NEQ: exp.NEQ,
}


def conjuncts(node: exp.Expr | None) -> list[exp.Expr]:
    """The AND-parts of a condition (parentheses looked through)."""
    if node is None:
        return []
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return conjuncts(node.this) + conjuncts(node.expression)
    return [node]


def pinned_columns(select: exp.Expr) -> set[str]:
    """Columns (lower-case names) the WHERE of ``select`` pins to one constant or parameter."""
    fixed: set[str] = set()
    for part in conjuncts(select.args["where"].this if select.args.get("where") else None):
        if isinstance(part, exp.EQ):
            for a, b in ((part.this, part.expression), (part.expression, part.this)):
                if isinstance(a, exp.Column) and isinstance(b, exp.Literal | exp.Placeholder | exp.Parameter):
                    fixed.add(a.name.lower())
    return fixed


def _and(parts: list[exp.Expr]) -> exp.Expr | None:
    return exp.and_(*parts, copy=False) if parts else None


def _inner_names(select: exp.Expr) -> set[str]:
    """Names and aliases of every table and derived table inside ``select`` (its own scope and deeper)."""
    names: set[str] = set()
    for table in select.find_all(exp.Table, exp.Subquery):
        if isinstance(table, exp.Table) and table.name:
            names.add(table.name.lower())
        if table.alias:
            names.add(table.alias.lower())
    return names


def outer_columns(select: exp.Expr) -> list[exp.Column]:
    """Columns of ``select`` qualified by a table that ``select`` does not read: its correlation."""
    inner = _inner_names(select)
    return [c for c in select.find_all(exp.Column) if c.table and c.table.lower() not in inner]


def _unwrap_subquery(node: exp.Expr) -> exp.Select | None:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
        return node.this
    return None


# -- correlated scalar subqueries ------------------------------------------------------------------


def correlated_scalar_subqueries(query: Query) -> Iterator[Match]:
    """A scalar subquery in a select list that reads the outer row. Facts: ``aggregate`` (the
    subquery's single output is an aggregate without GROUP BY, so it yields one row), ``count``."""
    if not query.has(exp.Subquery):
        return
    for select in query.find_all(exp.Select):
        for item in select.expressions:
            inner = _unwrap_subquery(item.unalias() if isinstance(item, exp.Alias) else item)
            if inner is None or not outer_columns(inner) or len(inner.expressions) != 1:
                continue
            output = inner.expressions[0].unalias()
            aggregate = isinstance(output, exp.AggFunc) and not inner.args.get("group")
            rewrite = _joined_aggregate(query, select, item, inner) if aggregate else None
            yield query.match(
                item,
                rewrite=rewrite,
                aggregate=aggregate,
                count=isinstance(output, exp.Count),
                limited=inner.args.get("limit") is not None,
                tables=tuple(t.name for t in own_tables(select)),
                pinned=frozenset(pinned_columns(select)),
            )


def _joined_aggregate(query: Query, select: exp.Select, item: exp.Expr, inner: exp.Select) -> str | None:
    """The outer query LEFT JOINed to the subquery grouped by its correlation columns; a count reads
    ``COALESCE(n, 0)`` since the joined row is missing where the subquery counted nothing."""
    if select.args.get("group") or select.args.get("distinct") or not select.args.get("from_"):
        return None
    scope = _inner_names(inner)
    keys: list[tuple[exp.Column, exp.Column]] = []  # (inner column, outer column)
    rest: list[exp.Expr] = []
    for part in conjuncts(inner.args["where"].this if inner.args.get("where") else None):
        pair = _correlation(part, scope)
        if pair is not None:
            keys.append(pair)
        elif _reads_outer(part, scope):
            return None  # correlated in a way a GROUP BY cannot express
        else:
            rest.append(part)
    if not keys or inner.args.get("limit") or inner.args.get("having"):
        return None
    if any(_reads_outer(node, scope) for node in inner.expressions + [inner.args["from_"]]):
        return None
    tree = query.copy()
    target_item = query.locate(tree, item)
    target_select = query.locate(tree, select)
    if target_item is None or not isinstance(target_select, exp.Select):
        return None
    output = inner.expressions[0].unalias()
    value = item.alias or output.key
    derived = f"{value}_by_{keys[0][0].name}"
    grouped = inner.copy()
    grouped.set("where", None)
    if rest:
        grouped.where(_and([p.copy() for p in rest]), copy=False)
    names = [k.name for k, _ in keys]
    grouped.set("expressions", [k.copy() for k, _ in keys] + [exp.alias_(output.copy(), value)])
    grouped.set("group", exp.Group(expressions=[k.copy() for k, _ in keys]))
    on = _and(
        [
            exp.EQ(this=exp.column(n, derived), expression=o.copy())
            for n, (_, o) in zip(names, keys, strict=True)
        ]
    )
    result: exp.Expr = exp.column(value, derived)
    if isinstance(output, exp.Count):
        result = exp.func("COALESCE", result, exp.Literal.number(0))
    target_item.replace(exp.alias_(result, value))
    target_select.join(
        exp.alias_(exp.Subquery(this=grouped), derived, table=True), on=on, join_type="LEFT", copy=False
    )
    return query.sql(tree)


def _reads_outer(node: exp.Expr, scope: set[str]) -> bool:
    return any(c.table and c.table.lower() not in scope for c in node.find_all(exp.Column))


def _correlation(part: exp.Expr, scope: set[str]) -> tuple[exp.Column, exp.Column] | None:
    """``inner.col = outer.col`` as (inner, outer), or None."""
    if not isinstance(part, exp.EQ):
        return None
    left, right = part.this, part.expression
    if not isinstance(left, exp.Column) or not isinstance(right, exp.Column):
        return None
    inner_left = not left.table or left.table.lower() in scope
    inner_right = not right.table or right.table.lower() in scope
    if inner_left and not inner_right:
        return left, right
    if inner_right and not inner_left:
        return right, left
    return None


# -- counting to test existence --------------------------------------------------------------------


def count_existence_checks(query: Query) -> Iterator[Match]:
    """``(SELECT count(*) FROM …) > 0`` and its spellings, and ``SELECT count(*) > 0 FROM … WHERE …``.
    Facts: ``exists`` (True for "at least one row"). The rewrite is ``[NOT] EXISTS (SELECT 1 …)``."""
    for comparison in query.find_all(exp.GT, exp.GTE, exp.NEQ, exp.EQ, exp.LT, exp.LTE):
        side, kind, number = _count_comparison(comparison)
        if side is None or kind is None or number is None:
            continue
        wants = _EXISTENCE.get((kind, number))
        if wants is None:
            continue
        inner = _unwrap_subquery(side)
        if inner is not None:
            rewrite = _exists_for_subquery(query, comparison, inner, wants)
            yield query.match(comparison, rewrite=rewrite, exists=wants, form="subquery")
            continue
        select = comparison.parent
        if isinstance(select, exp.Alias):
            select = select.parent
        if (
            isinstance(side, exp.Count)
            and isinstance(select, exp.Select)
            and len(select.expressions) == 1
            and select.expressions[0].unalias() is comparison
            and select.args.get("from_") is not None
            and not select.args.get("group")
            and not select.args.get("having")
        ):
            rewrite = _exists_select(query, select, side, wants)
            yield query.match(comparison, rewrite=rewrite, exists=wants, form="select")


def _count_comparison(comparison: exp.Expr) -> tuple[exp.Expr | None, type | None, int | None]:
    """(the count side, the comparison as if the count were on the left, the constant)."""
    left, right = comparison.this, comparison.expression
    kind: type = type(comparison)
    if _is_count(right) and _number(left) is not None:
        left, right, kind = right, left, _FLIPPED[kind]
    if not _is_count(left):
        return None, None, None
    return left, kind, _number(right)


def _is_count(node: exp.Expr) -> bool:
    if isinstance(node, exp.Count):
        return True
    inner = _unwrap_subquery(node)
    return (
        inner is not None
        and len(inner.expressions) == 1
        and isinstance(inner.expressions[0].unalias(), exp.Count)
        and not inner.args.get("group")
        and not inner.args.get("having")
        and not inner.args.get("limit")
        and not inner.args.get("offset")
    )


def _number(node: exp.Expr) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return int(node.this)
    return None


def _existence_select(inner: exp.Select, count: exp.Count) -> exp.Select:
    """``SELECT 1 FROM … WHERE …`` for a count: ``count(x)`` only counts non-NULL x."""
    select = inner.copy()
    select.set("expressions", [exp.Literal.number(1)])
    argument = count.this
    if isinstance(argument, exp.Distinct):
        argument = argument.expressions[0] if len(argument.expressions) == 1 else None
    if argument is not None and not isinstance(argument, exp.Star | exp.Literal):
        select.where(exp.Is(this=argument.copy(), expression=exp.Null(), negate=True), copy=False)
    return select


def _exists_for_subquery(query: Query, comparison: exp.Expr, inner: exp.Select, wants: bool) -> str | None:
    tree = query.copy()
    target = query.locate(tree, comparison)
    if target is None:
        return None
    count = inner.expressions[0].unalias()
    assert isinstance(count, exp.Count)
    exists: exp.Expr = exp.Exists(this=_existence_select(inner, count))
    target.replace(exists if wants else exp.Not(this=exists))
    return query.sql(tree)


def _exists_select(query: Query, select: exp.Select, count: exp.Count, wants: bool) -> str | None:
    if select is not query.node:
        return None
    inner = select.copy()
    for key in ("order", "limit", "offset"):
        inner.set(key, None)
    exists: exp.Expr = exp.Exists(this=_existence_select(inner, count))
    result = exists if wants else exp.Not(this=exists)
    alias = select.expressions[0].alias if isinstance(select.expressions[0], exp.Alias) else ""
    return query.sql(exp.select(exp.alias_(result, alias) if alias else result))


# -- IN (subquery) ---------------------------------------------------------------------------------


def in_subqueries(query: Query) -> Iterator[Match]:
    """``x IN (SELECT y …)`` (not under NOT: that is another rule). Facts: ``correlated``,
    ``distinct`` (the subquery says DISTINCT), ``under_or`` (an OR above it, up to the WHERE),
    ``filter_only`` (only AND/OR up to a WHERE: EXISTS returns the same rows there)."""
    for node in query.find_all(exp.In):
        subquery = node.args.get("query")
        inner = subquery.this if isinstance(subquery, exp.Subquery) else subquery
        if not isinstance(inner, exp.Select) or len(inner.expressions) != 1:
            continue
        path = _path_to_clause(node)
        if any(isinstance(p, exp.Not) for p in path):
            continue
        filter_only = (
            bool(path)
            and isinstance(path[-1], exp.Where)
            and all(isinstance(p, exp.And | exp.Or | exp.Paren | exp.Where) for p in path)
        )
        selected = inner.expressions[0].unalias()
        rewrite = _exists_for_in(query, node, inner, selected) if filter_only else None
        yield query.match(
            node,
            rewrite=rewrite,
            correlated=bool(outer_columns(inner)),
            distinct=inner.args.get("distinct") is not None,
            under_or=any(isinstance(p, exp.Or) for p in path),
            filter_only=filter_only,
        )


def _path_to_clause(node: exp.Expr) -> list[exp.Expr]:
    """Ancestors of ``node`` up to its WHERE/ON/HAVING/SELECT (included)."""
    path: list[exp.Expr] = []
    parent = node.parent
    while parent is not None:
        path.append(parent)
        if isinstance(parent, exp.Where | exp.Join | exp.Having | exp.Select | exp.Subquery):
            break
        parent = parent.parent
    return path


def _exists_for_in(query: Query, node: exp.In, inner: exp.Select, selected: exp.Expr) -> str | None:
    if inner.args.get("group") or inner.args.get("limit") or inner.args.get("having"):
        return None
    if isinstance(selected, exp.AggFunc) or not isinstance(selected, exp.Column):
        return None
    tree = query.copy()
    target = query.locate(tree, node)
    if target is None:
        return None
    select = inner.copy()
    select.set("distinct", None)
    select.set("expressions", [exp.Literal.number(1)])
    select.where(exp.EQ(this=_qualified(selected), expression=_qualified(node.this)), copy=False)
    target.replace(exp.Exists(this=select))
    return query.sql(tree)


def _qualified(expression: exp.Expr) -> exp.Expr:
    """A copy of ``expression`` with bare columns qualified by the name (or alias) of the only table
    of their SELECT, so that moving it into a subquery cannot change what they mean."""
    copy = expression.copy()
    for original, column in zip(expression.find_all(exp.Column), copy.find_all(exp.Column), strict=True):
        select = original.find_ancestor(exp.Select)
        tables = own_tables(select) if select is not None and not column.table else []
        if len(tables) == 1:
            column.set("table", exp.to_identifier(tables[0].alias_or_name))
    return copy
