"""What the query rules share: where a match is, and what the catalog knows about its columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbexpert.model import Column, Location, Table
from dbexpert.rules.context import RuleContext
from dbexpert.sql.query.match import ColumnRef, Match

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def location(query: Query, match: Match) -> Location:
    line, column = query.position(match.offset)
    return Location(path=query.path, line=line, column=column)


def table(ctx: RuleContext, name: str | None) -> Table | None:
    """The catalog's table called ``name`` (``schema.table`` or bare), None when unknown."""
    if not name:
        return None
    schema, _, bare = name.rpartition(".")
    return ctx.catalog.table(bare, schema or None)


def column(ctx: RuleContext, ref: ColumnRef) -> Column | None:
    found = table(ctx, ref.table)
    return found.column(ref.column) if found is not None else None


def nullable(ctx: RuleContext, ref: ColumnRef) -> bool | None:
    """Whether the catalog says the column may hold NULL; None when the catalog does not know it."""
    found = column(ctx, ref)
    return None if found is None else found.nullable


def schema_source(ctx: RuleContext) -> str:
    """How column facts were known, for evidence."""
    return "schema" if ctx.catalog.tables else "query text only (no --schema)"


def covered_key(ctx: RuleContext, name: str | None, columns: set[str]) -> tuple[str, ...] | None:
    """A unique key of table ``name`` (its primary key, or a unique key of NOT NULL columns: NULLs
    do not collide in a unique key) whose columns are all among ``columns`` (lower case); None when
    there is none or the table is unknown."""
    found = table(ctx, name)
    if found is None:
        return None
    for key in found.unique_column_sets():
        primary = found.primary_key is not None and key == frozenset(found.primary_key.columns)
        not_null = all((c := found.column(k)) is not None and not c.nullable for k in key)
        if (primary or not_null) and {k.lower() for k in key} <= columns:
            return tuple(sorted(key))
    return None
