"""
## What it does
Finds UUIDs stored as text instead of a 16-byte UUID type. It looks at columns named like
`uuid`, `guid`, `*_uuid`, `*_guid` (or whose default generates UUIDs) typed `text`, `varchar`,
`varchar(36)`, `char(36)` or `char(32)`. On a live database it samples the column and fires
only when at least `min_uuid_ratio` (option, default 95 %) of the values look like UUIDs; from a
schema alone the name, type and default are the evidence.

## Why is this bad?
A UUID is 16 bytes. As text it takes 36 bytes plus a length header, so the column and every
index on it (and every foreign key referencing it) are more than twice as large, comparisons go
through collation rules instead of a byte compare, and nothing stops malformed or differently
cased values (`ABC…` and `abc…` are different keys).

## Example
```sql
CREATE TABLE devices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_uuid varchar(36) NOT NULL UNIQUE
);
```

## Use instead
```sql
CREATE TABLE devices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_uuid uuid NOT NULL UNIQUE
);
```
On MySQL 8 store `BINARY(16)` written with `UUID_TO_BIN(?)` and read with `BIN_TO_UUID(col)`
(MariaDB 10.7+ has a native `UUID` type); on SQLite store a 16-byte `BLOB`. Prisma
`String @db.Uuid`, TypeORM `@Column("uuid")`, Drizzle `uuid()`, SQLAlchemy `Uuid` (2.0) or
`postgresql.UUID`, Django `UUIDField` (native on PostgreSQL and MariaDB 10.7+, `char(32)`
elsewhere).

## Fix safety
The conversion fails on any value that is not a UUID, and it rewrites the table under an ACCESS
EXCLUSIVE lock (PostgreSQL) or copies it (MySQL). Foreign keys referencing the column must be
dropped and re-created with the new type, and application code comparing with strings may need
casts. MySQL and SQLite need a new column and a backfill. The fix is manual.

## References
- https://www.postgresql.org/docs/current/datatype-uuid.html
- https://dev.mysql.com/doc/refman/8.0/en/miscellaneous-functions.html#function_uuid-to-bin
- https://mariadb.com/kb/en/uuid-data-type/
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbexpert.model import Category, Column, Engine, Finding, Table, Version
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._orm import column_type
from dbexpert.rules.schema._types import backfill_sql, named_like_uuid, uuid_as_text

_UUID_TEXT = re.compile(
    r"^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$", re.IGNORECASE
)
_MARIADB_UUID = Version(10, 7)


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for column in table.columns:
        if not uuid_as_text(column):
            continue
        evidence = {
            "type": column.raw_type,
            "named_like_uuid": named_like_uuid(column),
            "uuid_default": column.default,
        }
        if ctx.probe is not None:
            values = ctx.probe.sample_values(table, column.name, limit=int(ctx.option("sample_size")))
            ratio = sum(bool(_UUID_TEXT.match(v.strip())) for v in values) / len(values) if values else None
            if ratio is not None and ratio < ctx.option("min_uuid_ratio"):
                continue
            evidence |= {"sampled_values": len(values), "uuid_ratio": ratio}
        target, sql = _fix(ctx, table, column)
        yield ctx.finding(
            f"Column {table.qualified_name}.{column.name} stores UUIDs as {column.raw_type}; use {target}.",
            table=table,
            column=column,
            fix=ctx.orm_fix(
                f"Store the UUIDs as {target} (16 bytes instead of 36 characters).",
                **_orm_fix(ctx, table, column),
            ),
            sql=sql,
            evidence=evidence | {"bytes_per_value": {"text": 37, target: 16}},
        )


def _orm_fix(ctx: RuleContext, table: Table, column: Column) -> dict[str, str]:
    if ctx.engine is not Engine.POSTGRES:
        return {}  # the ORMs' uuid types fall back to text or binary columns there
    return column_type(
        ctx,
        table,
        column,
        prisma="String @db.Uuid",
        typeorm='@Column("uuid") (or @PrimaryGeneratedColumn("uuid") for a generated key)',
        drizzle=f'uuid("{column.name}")',
        sqlalchemy="mapped_column(Uuid)",
        django="models.UUIDField()",
    )


def _fix(ctx: RuleContext, table: Table, column: Column) -> tuple[str, str]:
    name, col = ctx.table_name(table), ctx.ident(column.name)
    null = "NULL" if column.nullable else "NOT NULL"
    if ctx.engine is Engine.POSTGRES:
        return "uuid", f"ALTER TABLE {name} ALTER COLUMN {col} TYPE uuid USING {col}::uuid;"
    if ctx.mariadb and (ctx.version is None or ctx.version >= _MARIADB_UUID):
        return "UUID", f"ALTER TABLE {name} MODIFY {col} UUID {null};"
    new = ctx.ident(f"{column.name}_bin")
    if ctx.engine is Engine.MYSQL:
        # UUID_TO_BIN is MySQL 8.0+; older MariaDB has only the hex functions.
        value = f"UNHEX(REPLACE({col}, '-', ''))" if ctx.mariadb else f"UUID_TO_BIN({col})"
        target = "BINARY(16)"
    else:
        value, target = f"unhex(replace({col}, '-', ''))", "BLOB"  # unhex(): SQLite 3.41+
    return target, backfill_sql(name, new, target, value, f"drop {col} and rename {new} to {col}.")


RULE = Rule(
    name="uuid-stored-as-text",
    category=Category.PERFORMANCE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    options={"min_uuid_ratio": 0.95, "sample_size": 1000},
    example_engine=Engine.POSTGRES,
)
