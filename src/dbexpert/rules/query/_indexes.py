"""What the catalog says about the indexes a query condition could use, and the index to create."""

from __future__ import annotations

import re

from dbexpert.model import Engine, Index, Table
from dbexpert.rules.context import RuleContext

_NOISE = re.compile(r"[\s\"`()]+")


def leading_index(found: Table | None, column: str) -> Index | None:
    """A valid index whose first key part is ``column``: the index a condition on it could use."""
    if found is None:
        return None
    for index in found.indexes:
        first = index.keys[0] if index.keys else None
        if index.valid and first is not None and (first.column or "").lower() == column.lower():
            return index
    return None


def expression_index(found: Table | None, expression: str) -> Index | None:
    """A valid index on exactly ``expression`` (compared without case, spaces, quotes and parentheses)."""
    if found is None:
        return None
    wanted = _normal(expression)
    for index in found.indexes:
        if index.valid and any(_normal(text) == wanted for text in index.expressions):
            return index
    return None


def index_name(table: str, *parts: str) -> str:
    """``<table>_<parts>_idx`` in lower case, cut to PostgreSQL's 63-byte identifier limit."""
    words = "_".join(re.sub(r"\W+", "_", part.lower()).strip("_") for part in parts)
    bare = table.rpartition(".")[2]
    return f"{bare}_{words}"[:59].rstrip("_") + "_idx"


def create_expression_index(ctx: RuleContext, table: str, expression: str) -> str:
    """``CREATE INDEX`` on an expression, spelled for the engine: PostgreSQL and MySQL 8.0.13+ want
    the expression in its own parentheses, SQLite accepts it bare."""
    name = ctx.ident(index_name(table, expression))
    target = ctx.ident(table.rpartition(".")[2]) if "." not in table else table
    if ctx.engine is Engine.SQLITE:
        return f"CREATE INDEX {name} ON {target} ({expression});"
    return f"CREATE INDEX {name} ON {target} (({expression}));"


def _normal(text: str) -> str:
    return _NOISE.sub("", text.lower())
