"""Fix text in each ORM's own syntax, shared by the schema rules that change a column or a key.

Each helper returns keyword arguments for ``RuleContext.orm_fix``: one sentence per ORM whose
syntax for the change is certain; an ORM is left out where it has no such syntax (the SQL fix
then stands alone).
"""

from __future__ import annotations

from collections.abc import Sequence

from dbexpert.model import Column, Index, Table
from dbexpert.rules.context import RuleContext


def field(ctx: RuleContext, table: Table, column: Column | str) -> str:
    """``Model.field``: where the change goes in the ORM code."""
    name = column if isinstance(column, str) else column.name
    return f"{ctx.orm_name(table)}.{ctx.orm_name(table, name)}"


def fields(ctx: RuleContext, table: Table, columns: Sequence[str]) -> list[str]:
    return [ctx.orm_name(table, c) for c in columns]


def column_type(ctx: RuleContext, table: Table, column: Column, **declarations: str) -> dict[str, str]:
    """'In Prisma: declare Model.field as <declaration>.' for each ORM given a declaration."""
    where = field(ctx, table, column)
    names = {"prisma": "Prisma", "typeorm": "TypeORM", "drizzle": "Drizzle", "sqlalchemy": "SQLAlchemy"}
    names["django"] = "Django"
    return {orm: f"In {names[orm]}: declare {where} as {text}." for orm, text in declarations.items()}


def drop_index(ctx: RuleContext, table: Table, index: Index) -> dict[str, str]:
    """Remove the declaration an index came from, named in each ORM's spelling."""
    if index.primary:
        return {}  # the primary key stays; the other copy is the one to remove
    model = ctx.orm_name(table)
    columns = [k.column for k in index.keys if k.column is not None]
    names = fields(ctx, table, columns)
    listed = ", ".join(names)
    quoted = ", ".join(f'"{n}"' for n in names)
    on = ", ".join(f"t.{n}" for n in names)
    single = names[0] if len(names) == 1 else None
    return {
        "prisma": (
            f"In Prisma: remove {'@@unique' if index.unique else '@@index'}([{listed}]) from model {model}"
            + (f" (or @unique on {single})." if single and index.unique else ".")
        ),
        "typeorm": (
            f"In TypeORM: remove the @Index([{quoted}]) decorator of entity {model}"
            + (f" (or @Index() on {single})." if single else ".")
        ),
        "drizzle": (
            f'In Drizzle: remove {"uniqueIndex" if index.unique else "index"}("{index.name}").on({on}) '
            f"from the extra config of table {model}."
        ),
        "sqlalchemy": (
            f"In SQLAlchemy: remove Index({index.name!r}, ...) from __table_args__ of {model}"
            + (f" (or index=True on {single})." if single else ".")
        ),
        "django": (
            f"In Django: remove models.Index(fields=[{', '.join(repr(n) for n in names)}]) from "
            f"Meta.indexes of {model}" + (f" (or db_index=True on {single})." if single else ".")
        ),
    }
