"""Batched forms of statements an application ran once per item: the one query that replaces N.

- :func:`batch_select` turns a query shape with a key equality (``… WHERE o.customer_id = ?``)
  into one query for every key: ``= ANY($1)`` on PostgreSQL (one array parameter, the same
  statement whatever N), ``IN (…)`` elsewhere; the key column joins the select list when it is not
  there, so the application can map rows back to its items.
- :func:`batch_insert` turns a one-row ``INSERT … VALUES (…)`` into a multi-row one.

Both work on the parsed statement (sqlglot) and return None when it has no such form.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import expressions as exp

from dbexpert.model import Engine
from dbexpert.sql.query.tree import DIALECTS

_KEY_SUFFIXES = ("id", "_id", "_key", "_uuid", "_code")


@lru_cache(maxsize=4096)
def batch_select(shape: str, engine: Engine) -> str | None:
    """The shape with its key equality turned into a lookup of all keys at once (kept per shape: a
    workload repeats one N+1 shape in request after request)."""
    dialect = DIALECTS.get(engine)
    if dialect is None:
        return None
    try:
        tree = sqlglot.parse_one(shape, read=dialect)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        return None
    if not isinstance(tree, exp.Select) or tree.args.get("where") is None:
        return None
    equality = _key_equality(tree.args["where"])
    if equality is None:
        return None
    column = equality.this if isinstance(equality.this, exp.Column) else equality.expression
    if engine is Engine.POSTGRES:
        replacement: exp.Expression = exp.EQ(this=column.copy(), expression=exp.Any(this=exp.Paren(this=_dollar(1))))
    else:
        replacement = exp.In(this=column.copy(), expressions=[exp.Placeholder(), exp.Placeholder(), exp.Var(this="...")])
    equality.replace(replacement)
    if not _selects(tree, column):
        tree.set("expressions", [*tree.expressions, column.copy()])
    if engine is Engine.POSTGRES:  # the other parameters keep their places: $2, $3, …
        for number, other in enumerate(list(tree.find_all(exp.Placeholder)), 2):
            other.replace(_dollar(number))
    return tree.sql(dialect=dialect).replace(", ...", ", …")


def batch_insert(statement: str, engine: Engine, rows: int = 3) -> str | None:
    """A one-row ``INSERT … VALUES`` as a ``rows``-row one with placeholders (``$n`` or ``?``)."""
    dialect = DIALECTS.get(engine)
    if dialect is None:
        return None
    try:
        tree = sqlglot.parse_one(statement, read=dialect)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        return None
    values = tree.expression if isinstance(tree, exp.Insert) else None
    if not isinstance(values, exp.Values) or len(values.expressions) != 1:
        return None
    width = len(values.expressions[0].expressions)
    counter = iter(range(1, rows * width + 1))

    def placeholder() -> exp.Expression:
        number = next(counter)
        return _dollar(number) if engine is Engine.POSTGRES else exp.Placeholder()

    tuples = [exp.Tuple(expressions=[placeholder() for _ in range(width)]) for _ in range(rows)]
    values.set("expressions", tuples)
    return f"{tree.sql(dialect=dialect)}, …"


def _dollar(number: int) -> exp.Expression:
    return exp.Parameter(this=exp.Literal.number(number))


def _key_equality(where: exp.Expression) -> exp.EQ | None:
    """The ``column = ?`` predicate the loop varies: a key-like column first, else the first one."""
    found = [
        eq
        for eq in where.find_all(exp.EQ)
        if {type(eq.this), type(eq.expression)} == {exp.Column, exp.Placeholder}
    ]
    if not found:
        return None
    for eq in found:
        column = eq.this if isinstance(eq.this, exp.Column) else eq.expression
        if column.name.lower().endswith(_KEY_SUFFIXES):
            return eq
    return found[0]


def _selects(tree: exp.Select, column: exp.Column) -> bool:
    for item in tree.expressions:
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
            return True
        if isinstance(item, exp.Column) and item.name.lower() == column.name.lower():
            return True
    return False
