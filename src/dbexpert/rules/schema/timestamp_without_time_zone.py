"""
## What it does
Finds columns that hold instants but are typed without a time zone. A column holds instants
when it is named like `created_at`, `updated_at`, `*_at`, `*_time` or `timestamp`; the types
without a zone are PostgreSQL `timestamp without time zone` and MySQL `DATETIME`.

## Why is this bad?
A timestamp without a zone is a wall-clock reading, not a point in time: the same value means
different instants for clients in different zones, `now()` is stored in whatever zone the
session had, and arithmetic across daylight-saving changes is off by an hour. PostgreSQL
`timestamptz` stores an instant (UTC inside) and converts on the way in and out. MySQL has two
choices: `TIMESTAMP` is an instant but ends at 2038-01-19 03:14:07 UTC, so `DATETIME` holding UTC
by convention (session `time_zone = '+00:00'`) is the usual answer; this rule cannot see that
convention, so on MySQL it is informational.

## Example
```sql
CREATE TABLE sessions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamp NOT NULL DEFAULT now()
);
```

## Use instead
```sql
CREATE TABLE sessions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
```
Prisma `DateTime @db.Timestamptz(6)`, TypeORM `@CreateDateColumn({ type: "timestamptz" })`,
Drizzle `timestamp("created_at", { withTimezone: true })`, SQLAlchemy `DateTime(timezone=True)`,
Django `DateTimeField` with `USE_TZ = True` (the default) creates `timestamptz`.

## Fix safety
The stored values are read in the session's `TimeZone`, so the fix sets it to UTC for the
transaction: correct only if the values were written in UTC (otherwise set the zone they were
written in). With the zone at UTC, PostgreSQL 12+ changes the type without rewriting the table;
older versions, another zone, or a `USING … AT TIME ZONE` expression rewrite the table and its
indexes. Either way the ALTER takes an ACCESS EXCLUSIVE lock. On MySQL, `MODIFY … TIMESTAMP`
copies the table and fails for values after 2038. Marked unsafe.

## References
- https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_timestamp_.28without_time_zone.29
- https://www.postgresql.org/docs/12/release-12.html
- https://dev.mysql.com/doc/refman/8.0/en/datetime.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Severity, Table, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._names import words
from dbexpert.rules.schema._orm import column_type

_INSTANT_LAST_WORDS = frozenset({"at", "time", "timestamp", "ts", "datetime"})
_INSTANT_NAMES = frozenset({"timestamp", "timestamps", "created", "updated", "modified", "deleted"})
# DATETIME is an instant's stand-in on MySQL (UTC by convention); only PostgreSQL is a warning.
_SEVERITY = {Engine.POSTGRES: Severity.WARNING, Engine.MYSQL: Severity.INFO}


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for column in table.columns:
        if column.kind is not TypeKind.TIMESTAMP or not _names_an_instant(column.name):
            continue
        name, col = ctx.table_name(table), ctx.ident(column.name)
        if ctx.engine is Engine.MYSQL:
            fsp = re.search(r"\((\d)\)", column.raw_type)
            null = "NULL" if column.nullable else "NOT NULL"
            target = f"TIMESTAMP({fsp.group(1)})" if fsp else "TIMESTAMP"
            sql = f"SET time_zone = '+00:00';\nALTER TABLE {name} MODIFY {col} {target} {null};"
            fix = "Keep DATETIME holding UTC by convention, or switch to TIMESTAMP (instants, until 2038)."
        else:
            sql = "\n".join(
                [
                    "BEGIN;",
                    "SET LOCAL TimeZone = 'UTC';  -- the zone the stored values were written in",
                    f"ALTER TABLE {name} ALTER COLUMN {col} TYPE timestamptz;",
                    "COMMIT;",
                ]
            )
            fix = "Change the column to timestamptz, reading the stored values as UTC."
            fsp = re.search(r"\((\d)\)", column.raw_type)
            # Django's DateTimeField is already timestamptz on PostgreSQL: a finding there is a custom type.
            fix = ctx.orm_fix(
                fix,
                **column_type(
                    ctx,
                    table,
                    column,
                    prisma=f"DateTime @db.Timestamptz({fsp.group(1) if fsp else 6})",
                    typeorm='{ type: "timestamptz" } in its @Column (or @CreateDateColumn, @UpdateDateColumn) options',
                    drizzle=f'timestamp("{column.name}", {{ withTimezone: true }})',
                    sqlalchemy="mapped_column(DateTime(timezone=True))",
                ),
            )
        yield ctx.finding(
            f"Column {table.qualified_name}.{column.name} holds instants but is {column.raw_type}.",
            table=table,
            column=column,
            fix=fix,
            sql=sql,
            applicability=Applicability.UNSAFE,
            severity=_SEVERITY[ctx.engine],
            evidence={"type": column.raw_type, "name_suggests_instant": True, "timezone": _zone(ctx)},
        )


def _names_an_instant(name: str) -> bool:
    parts = words(name)
    return bool(parts) and (parts[-1] in _INSTANT_LAST_WORDS or "_".join(parts) in _INSTANT_NAMES)


def _zone(ctx: RuleContext) -> str | None:
    return ctx.catalog.settings.get("TimeZone") or ctx.catalog.settings.get("time_zone")


RULE = Rule(
    name="timestamp-without-time-zone",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    example_engine=Engine.POSTGRES,
)
