"""Detectors for the shape of a statement: what it selects, how it pages and sorts, what it touches.

Each detector takes a :class:`Query` and yields :class:`Match` values; rewrites are transformations
of a copy of the tree, printed in the query's dialect.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from sqlglot import exp

from dbexpert.sql.query.tree import ColumnRef, Match, Query, own_tables

_RANDOM = (exp.Rand,)
_RANDOM_NAMES = frozenset({"random", "rand", "newid", "uuid_generate_v4", "gen_random_uuid"})


def select_stars(query: Query) -> Iterator[Match]:
    """``SELECT *`` / ``SELECT t.*`` in the select list of the statement's own result (not inside
    ``EXISTS``, where the list does not matter, nor ``count(*)``)."""
    for select in query.find_all(exp.Select):
        if _inside_exists(select):
            continue
        for item in select.expressions:
            star = isinstance(item, exp.Star) or (
                isinstance(item, exp.Column) and isinstance(item.this, exp.Star)
            )
            if not star:
                continue
            qualifier = item.table if isinstance(item, exp.Column) else ""
            tables = own_tables(select)
            if qualifier:
                named = query.aliases().get(qualifier.lower(), qualifier)
                names = [named]
            else:
                names = [t.name for t in tables]
            yield query.match(item, tables=tuple(names), qualifier=qualifier or None)


def expand_star(query: Query, match: Match, columns: Mapping[str, Sequence[str]]) -> str | None:
    """The statement with the ``*`` of ``match`` replaced by the columns of its tables (``columns`` maps
    a table name to its column names, in table order), or None when a table's columns are unknown."""
    tree = query.copy()
    target = query.locate(tree, match.node)
    if target is None:
        return None
    select = target.find_ancestor(exp.Select)
    if select is None:
        return None
    qualifier = target.table if isinstance(target, exp.Column) else ""
    sources = [
        t for t in own_tables(select) if not qualifier or (t.alias_or_name.lower() == qualifier.lower())
    ]
    if not sources:
        return None
    several = len(own_tables(select)) > 1
    items: list[exp.Expr] = []
    for table in sources:
        names = columns.get(table.name) or columns.get(table.name.lower())
        if not names:
            return None
        prefix = table.alias_or_name if several or qualifier else None
        items.extend(exp.column(name, table=prefix, quoted=None) for name in names)
    select.set("expressions", [*_before(select, target), *items, *_after(select, target)])
    return query.sql(tree)


def _before(select: exp.Select, item: exp.Expr) -> list[exp.Expr]:
    items = list(select.expressions)
    return items[: items.index(item)] if item in items else []


def _after(select: exp.Select, item: exp.Expr) -> list[exp.Expr]:
    items = list(select.expressions)
    return items[items.index(item) + 1 :] if item in items else []


def _inside_exists(node: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None and isinstance(parent, exp.Subquery | exp.Paren):
        parent = parent.parent
    return isinstance(parent, exp.Exists)


def missing_where(query: Query) -> Iterator[Match]:
    """``UPDATE`` or ``DELETE`` without a ``WHERE`` clause (nor a join that restricts the rows)."""
    node = query.node
    if not isinstance(node, exp.Update | exp.Delete):
        return
    if node.args.get("where") is not None or node.args.get("limit") is not None:
        return
    if isinstance(node, exp.Update) and node.args.get("from_") is not None:
        return  # UPDATE ... FROM joins restrict the rows (a missing join condition is another matter)
    if isinstance(node, exp.Delete) and node.args.get("using"):
        return
    table = node.this if isinstance(node.this, exp.Table) else node.find(exp.Table)
    name = table.name if table is not None else None
    yield query.match(node, statement=query.kind.upper(), table=name)


def large_offsets(query: Query, minimum: int) -> Iterator[Match]:
    """``OFFSET n`` (or MySQL's ``LIMIT n, m``) with a constant ``n`` of at least ``minimum``, or a
    parameter (an offset that grows with the page number). Facts carry the ORDER BY columns."""
    for offset in query.find_all(exp.Offset):
        value = offset.expression
        number = _int(value)
        parameter = isinstance(value, exp.Placeholder | exp.Parameter)
        if not parameter and (number is None or number < minimum):
            continue
        select = offset.parent
        order = select.args.get("order") if select is not None else None
        keys: list[ColumnRef] = []
        directions: list[str] = []
        for ordered in order.expressions if order is not None else []:
            if isinstance(ordered.this, exp.Column):
                keys.append(query.column_ref(ordered.this))
                directions.append("DESC" if ordered.args.get("desc") else "ASC")
            else:
                keys = []
                break
        tables = own_tables(select) if select is not None else []
        yield query.match(
            offset,
            columns=tuple(keys),
            offset=number,
            parameter=parameter,
            directions=tuple(directions),
            tables=tuple(t.name for t in tables),
            ordered=order is not None,
        )


def keyset_rewrite(query: Query, match: Match) -> str | None:
    """The statement paged by its ORDER BY key instead of OFFSET: ``WHERE (keys) > (:last…)`` with the
    OFFSET removed. The caller has checked that the key is unique."""
    tree = query.copy()
    offset = query.locate(tree, match.node)
    if not isinstance(offset, exp.Offset) or not match.columns:
        return None
    select = offset.parent
    if not isinstance(select, exp.Select):
        return None
    directions = set(match.facts.get("directions", ()))
    if len(directions) != 1:
        return None
    order = select.args["order"]
    keys = [o.this.copy() for o in order.expressions]
    # The previous page's last key, written the way psql and most drivers name parameters.
    params = [exp.Var(this=f":last_{k.name}") for k in keys]
    op = exp.GT if directions == {"ASC"} else exp.LT
    if len(keys) == 1:
        condition: exp.Expr = op(this=keys[0], expression=params[0])
    else:
        condition = op(this=exp.Tuple(expressions=keys), expression=exp.Tuple(expressions=params))
    offset.pop()
    select.where(condition, copy=False)
    return query.sql(tree)


def random_orders(query: Query) -> Iterator[Match]:
    """``ORDER BY random()`` / ``RAND()`` / ``NEWID()``: sorts the whole input to pick a few rows."""
    for order in query.find_all(exp.Order):
        for ordered in order.expressions:
            term = ordered.this
            if isinstance(term, _RANDOM) or (
                isinstance(term, exp.Anonymous) and str(term.this).lower() in _RANDOM_NAMES
            ):
                select = order.parent
                tables = own_tables(select) if select is not None else []
                limit = select.args.get("limit") if select is not None else None
                yield query.match(
                    ordered,
                    tables=tuple(t.name for t in tables),
                    limit=_int(limit.expression) if limit is not None else None,
                )


def _int(node: exp.Expr | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return int(node.this)
        except ValueError:
            return None
    return None
