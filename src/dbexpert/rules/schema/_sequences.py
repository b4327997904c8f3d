"""What the counter rules share: the column a sequence feeds and sequence names for fix SQL.

Not a rule (the leading underscore keeps the registry away). Pure functions over the model.
"""

from __future__ import annotations

import re

from dbexpert.model import Catalog, Column, Sequence, Table
from dbexpert.rules.context import RuleContext
from dbexpert.sql.quote import qualify

_NEXTVAL = re.compile(r"nextval\('((?:[^']|'')+)'", re.IGNORECASE)


def sequence_owner(catalog: Catalog, seq: Sequence) -> tuple[Table, Column] | None:
    """The column the sequence feeds: its OWNED BY column, else a column whose default calls it."""
    for table in catalog.tables:
        for column in table.columns:
            if seq.owned_by == (table.name, column.name) and table.schema in (None, seq.schema):
                return table, column
            called = _NEXTVAL.search(column.default or "")
            if called and called.group(1).replace('"', "").split(".")[-1] == seq.name:
                return table, column
    return None


def sequence_sql(ctx: RuleContext, seq: Sequence) -> str:
    """A sequence's name for fix SQL, schema-qualified unless it is in the default schema."""
    return qualify(seq.name, seq.schema, ctx.engine, ctx.catalog.default_schema)


def serial_sequence_sql(ctx: RuleContext, table: Table, column: Column) -> str:
    """The sequence behind a serial column, for fix SQL: the catalog's, else PostgreSQL's implicit name."""
    for seq in ctx.catalog.sequences:
        owner = sequence_owner(ctx.catalog, seq)
        if owner is not None and owner[0] is table and owner[1] is column:
            return sequence_sql(ctx, seq)
    return qualify(f"{table.name}_{column.name}_seq", table.schema, ctx.engine, ctx.catalog.default_schema)
