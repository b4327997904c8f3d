"""Detectors for grouping and statement shape: HAVING conditions that belong in WHERE, selected
columns neither grouped nor aggregated, UNION where no duplicate can occur, INSERT without a column
list, LIMIT without ORDER BY.

Each detector takes a :class:`Query` and yields :class:`Match` values; rewrites are transformations
of a copy of the tree, printed in the query's dialect.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlglot import exp

from dbexpert.sql.query.structure import conjuncts, pinned_columns
from dbexpert.sql.query.tree import Match, Query, own_tables

_SUPER_GROUPS = frozenset({"rollup", "cube", "grouping sets"})  # as some dialects read them: plain calls


def _grouped(select: exp.Select) -> list[exp.Expr] | None:
    """GROUP BY expressions with positions and select aliases resolved; None for ROLLUP, CUBE and
    GROUPING SETS (their extra rows make HAVING and bare columns mean something else)."""
    group = select.args.get("group")
    if group is None or any(group.args.get(k) for k in ("rollup", "cube", "grouping_sets", "totals")):
        return None
    if any(
        isinstance(k, exp.Rollup | exp.Cube | exp.GroupingSets)
        or (isinstance(k, exp.Anonymous) and str(k.this).lower() in _SUPER_GROUPS)
        for k in group.expressions
    ):
        return None
    aliases = {i.alias.lower(): i.unalias() for i in select.expressions if isinstance(i, exp.Alias)}
    result: list[exp.Expr] = []
    for key in group.expressions:
        if isinstance(key, exp.Literal) and not key.is_string and key.this.isdigit():
            index = int(key.this) - 1
            if not 0 <= index < len(select.expressions):
                return None
            result.append(select.expressions[index].unalias())
        elif isinstance(key, exp.Column) and not key.table and key.name.lower() in aliases:
            result.append(aliases[key.name.lower()])
        else:
            result.append(key)
    return result


def _same_column(a: exp.Column, b: exp.Column, query: Query) -> bool:
    if a.name.lower() != b.name.lower():
        return False
    if not a.table or not b.table:
        return True
    return query.table_of(a) == query.table_of(b)


def _is_grouped(node: exp.Expr, keys: Sequence[exp.Expr], query: Query) -> bool:
    """Whether ``node`` is one of the GROUP BY keys, or built only from grouped columns and constants."""
    text = node.sql()
    if any(k.sql() == text for k in keys):
        return True
    if isinstance(node, exp.Column):
        return any(isinstance(k, exp.Column) and _same_column(node, k, query) for k in keys)
    columns = list(node.find_all(exp.Column))
    return bool(columns) and all(_is_grouped(c, keys, query) for c in columns)


def _aggregated(node: exp.Expr) -> bool:
    return node.find(exp.AggFunc, exp.Window, exp.Subquery, exp.Select) is not None


# -- HAVING without aggregate ----------------------------------------------------------------------


def having_without_aggregates(query: Query) -> Iterator[Match]:
    """AND-parts of a HAVING that use no aggregate and only grouped columns: they can filter rows
    before grouping. The rewrite moves them to WHERE."""
    for having in query.find_all(exp.Having):
        select = having.parent
        if not isinstance(select, exp.Select):
            continue
        keys = _grouped(select)
        if keys is None:
            continue
        aliases = {i.alias.lower() for i in select.expressions if isinstance(i, exp.Alias)}
        movable = [
            part
            for part in conjuncts(having.this)
            if not _aggregated(part)
            and list(part.find_all(exp.Column))
            and not any(
                not c.table and c.name.lower() in aliases and not _is_grouped(c, keys, query)
                for c in part.find_all(exp.Column)
            )
            and _is_grouped(part, keys, query)
        ]
        if not movable:
            continue
        yield query.match(movable[0], rewrite=_to_where(query, select, having, movable), moved=len(movable))


def _to_where(query: Query, select: exp.Select, having: exp.Having, movable: list[exp.Expr]) -> str | None:
    aliases = {i.alias.lower() for i in select.expressions if isinstance(i, exp.Alias)}
    if any(not c.table and c.name.lower() in aliases for p in movable for c in p.find_all(exp.Column)):
        return None  # a select alias means nothing in WHERE
    tree = query.copy()
    target = query.locate(tree, select)
    if not isinstance(target, exp.Select):
        return None
    texts = {p.sql() for p in movable}
    kept = [p.copy() for p in conjuncts(having.this) if p.sql() not in texts]
    target.set("having", exp.Having(this=exp.and_(*kept)) if kept else None)
    target.where(*[p.copy() for p in movable], copy=False)
    return query.sql(tree)


# -- bare columns in a grouped query ---------------------------------------------------------------


def ungrouped_columns(query: Query) -> Iterator[Match]:
    """Selected columns of a GROUP BY query that are neither grouped nor inside an aggregate. Facts:
    ``grouped`` (the grouped columns, for a rule to test functional dependency on a key)."""
    for select in query.find_all(exp.Select):
        keys = _grouped(select)
        if keys is None:
            continue
        fixed = pinned_columns(select)
        grouped = tuple(query.column_ref(k) for k in keys if isinstance(k, exp.Column))
        for item in select.expressions:
            node = item.unalias()
            if _is_grouped(node, keys, query):
                continue
            for column in node.find_all(exp.Column):
                if isinstance(column.this, exp.Star) or _under_aggregate(column, item):
                    continue
                if _is_grouped(column, keys, query) or column.name.lower() in fixed:
                    continue
                yield query.match(
                    column, columns=(query.column_ref(column),), grouped=grouped, item=item.alias_or_name
                )


def _under_aggregate(column: exp.Column, stop: exp.Expr) -> bool:
    node: exp.Expr | None = column
    while node is not None and node is not stop.parent:
        if isinstance(node, exp.AggFunc | exp.Window | exp.Subquery):
            return True
        node = node.parent
    return False


def add_to_group_by(query: Query, match: Match) -> str | None:
    """The statement with the column of ``match`` added to its GROUP BY."""
    tree = query.copy()
    target = query.locate(tree, match.node)
    select = target.find_ancestor(exp.Select) if target is not None else None
    if target is None or select is None or select.args.get("group") is None:
        return None
    select.args["group"].append("expressions", target.copy())
    return query.sql(tree)


# -- UNION where duplicates cannot occur -----------------------------------------------------------


def union_branches(query: Query) -> Iterator[Match]:
    """``UNION`` (distinct) whose branches cannot share a row. Facts: ``disjoint_by`` (how the branches
    differ), ``branches`` (per branch: its only table, its selected columns, and whether it yields
    distinct rows by its shape alone); a rule proves the rest with keys from the catalog."""
    for union in query.find_all(exp.Union):
        if not union.args.get("distinct") or isinstance(union.parent, exp.Union):
            continue
        branches = _branches(union)
        if branches is None or len({len(b.expressions) for b in branches}) != 1:
            continue
        how = _disjoint(branches, query)
        if how is None:
            continue
        facts = tuple(_branch_facts(b, query) for b in branches)
        tree = query.copy()
        target = query.locate(tree, union)
        for node in target.find_all(exp.Union) if target is not None else []:
            node.set("distinct", False)
        yield query.match(union, rewrite=tree, disjoint_by=how, branches=facts)


def _branches(union: exp.Expr) -> list[exp.Select] | None:
    if isinstance(union, exp.Union):
        if not union.args.get("distinct") or type(union) is not exp.Union:
            return None
        left, right = _branches(union.this), _branches(union.expression)
        return None if left is None or right is None else left + right
    while isinstance(union, exp.Subquery | exp.Paren):
        union = union.this
    if isinstance(union, exp.Union):
        return _branches(union)
    return [union] if isinstance(union, exp.Select) else None


def _disjoint(branches: list[exp.Select], query: Query) -> str | None:
    width = len(branches[0].expressions)
    for index in range(width):
        values = [b.expressions[index].unalias() for b in branches]
        if all(isinstance(v, exp.Literal) for v in values) and len({v.sql() for v in values}) == len(values):
            return f"a different constant in column {index + 1}"
    tables = {tuple(t.name.lower() for t in own_tables(b)) for b in branches}
    if len(tables) != 1 or len(next(iter(tables))) != 1 or any(b.args.get("joins") for b in branches):
        return None
    pins = [_pins(b) for b in branches]
    for name in set.intersection(*(set(p) for p in pins)):
        values = [p[name] for p in pins]
        if len(set(values)) == len(values):
            return f"disjoint values of {name}"
    return None


def _pins(select: exp.Select) -> dict[str, str]:
    pins: dict[str, str] = {}
    for part in conjuncts(select.args["where"].this if select.args.get("where") else None):
        if (
            isinstance(part, exp.EQ)
            and isinstance(part.this, exp.Column)
            and isinstance(part.expression, exp.Literal)
        ):
            pins[part.this.name.lower()] = part.expression.sql()
    return pins


def _branch_facts(select: exp.Select, query: Query) -> tuple[str | None, tuple[str, ...], bool]:
    tables = own_tables(select)
    table = tables[0].name if len(tables) == 1 and not select.args.get("joins") else None
    columns = tuple(
        i.unalias().name.lower() for i in select.expressions if isinstance(i.unalias(), exp.Column)
    )
    no_rows_merge = (
        select.args.get("from_") is None
        or (
            not select.args.get("group")
            and all(
                isinstance(i.unalias(), exp.AggFunc) or isinstance(i.unalias(), exp.Literal)
                for i in select.expressions
            )
            and any(isinstance(i.unalias(), exp.AggFunc) for i in select.expressions)
        )
        or (select.args.get("distinct") is not None and select.args["distinct"].args.get("on") is None)
    )
    keys = _grouped(select)
    if keys is not None and all(any(k.sql() == i.unalias().sql() for i in select.expressions) for k in keys):
        no_rows_merge = True
    return table, columns, no_rows_merge


# -- INSERT without a column list ------------------------------------------------------------------


def inserts_without_columns(query: Query) -> Iterator[Match]:
    """``INSERT INTO t VALUES …`` / ``INSERT INTO t SELECT …`` with no column list. Facts: ``table``
    and ``values`` (how many values each row gives, None when unknown)."""
    node = query.node
    if not isinstance(node, exp.Insert) or not isinstance(node.this, exp.Table):
        return
    source = node.expression
    width: int | None = None
    if isinstance(source, exp.Values):
        widths = {len(row.expressions) if isinstance(row, exp.Tuple) else 1 for row in source.expressions}
        width = widths.pop() if len(widths) == 1 else None
    elif isinstance(source, exp.Select):
        if not any(
            isinstance(i, exp.Star) or (isinstance(i, exp.Column) and isinstance(i.this, exp.Star))
            for i in source.expressions
        ):
            width = len(source.expressions)
    elif source is None:
        return  # DEFAULT VALUES
    yield query.match(node.this, table=node.this.name, values=width)


def with_column_list(query: Query, match: Match, columns: Sequence[str]) -> str:
    tree = query.copy()
    target = query.locate(tree, match.node)
    assert isinstance(target, exp.Table)
    target.replace(exp.Schema(this=target.copy(), expressions=[exp.to_identifier(c) for c in columns]))
    return query.sql(tree)


# -- LIMIT without ORDER BY ------------------------------------------------------------------------


def limits_without_order(query: Query, minimum: int = 2) -> Iterator[Match]:
    """``LIMIT n`` (n at least ``minimum``, or a parameter) on rows that are not ordered. Not
    reported: inside EXISTS / IN (any rows will do), or over an aggregate that yields one row.
    Facts: ``tables`` (the query's own tables), ``limit``."""
    for limit in query.find_all(exp.Limit):
        owner = limit.parent
        if not isinstance(owner, exp.Select | exp.Union) or owner.args.get("order") is not None:
            continue
        value = limit.expression
        number = int(value.this) if isinstance(value, exp.Literal) and value.this.isdigit() else None
        if number is None and not isinstance(value, exp.Placeholder | exp.Parameter):
            continue
        if number is not None and number < minimum:
            continue
        if _feeds_existence(owner):
            continue
        if (
            isinstance(owner, exp.Select)
            and not owner.args.get("group")
            and any(isinstance(i.unalias(), exp.AggFunc) for i in owner.expressions)
        ):
            continue
        tables = tuple(t.name for t in own_tables(owner)) if isinstance(owner, exp.Select) else ()
        joined = bool(owner.args.get("joins")) if isinstance(owner, exp.Select) else True
        pinned = frozenset(pinned_columns(owner)) if isinstance(owner, exp.Select) else frozenset()
        yield query.match(limit, tables=tables, limit=number, joined=joined, pinned=pinned)


def _feeds_existence(node: exp.Expr) -> bool:
    parent = node.parent
    while isinstance(parent, exp.Subquery | exp.Paren):
        parent = parent.parent
    return isinstance(parent, exp.Exists | exp.In)


def order_by_key(query: Query, match: Match, key: Sequence[str]) -> str | None:
    tree = query.copy()
    target = query.locate(tree, match.node)
    select = target.parent if target is not None else None
    if not isinstance(select, exp.Select):
        return None
    select.order_by(*[exp.column(k) for k in key], copy=False)
    return query.sql(tree)
