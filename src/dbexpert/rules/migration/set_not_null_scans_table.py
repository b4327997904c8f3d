"""
## What it does
Finds `ALTER COLUMN ... SET NOT NULL` on an existing PostgreSQL table that scans the table under ACCESS EXCLUSIVE.

Not reported: tables created earlier in the same migration, columns already NOT NULL, and — on
PostgreSQL 12 and later — columns proven by a validated `CHECK (col IS NOT NULL)` on the table
before the statement. A column added earlier in the same migration is reported even with a default:
`SET NOT NULL` still reads every row (measured on PostgreSQL 15), while `NOT NULL` written in the
`ADD COLUMN` itself does not.

## Why is this bad?
`SET NOT NULL` takes an ACCESS EXCLUSIVE lock and reads every row to prove there is no NULL.
Nothing can read or write the table until the scan ends: seconds to minutes on a large table.

## Example
```sql
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
```

## Use instead
```sql
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_not_null;
```
Each statement in its own transaction: the VALIDATE scans under a lock that lets reads and writes
through, and PostgreSQL 12+ then uses the validated CHECK to skip the scan of `SET NOT NULL`.
Before PostgreSQL 12 keep the validated CHECK instead of `SET NOT NULL`. Alembic: `op.execute()`
the statements, the VALIDATE and later steps in another revision or an `autocommit_block()`;
Django: `AddConstraintNotValid`, then `ValidateConstraint`, then `AlterField(null=False)` and
`RemoveConstraint`, across migrations; Prisma and Drizzle: edit the generated SQL and split it into
migrations; TypeORM: `queryRunner.query()` each statement, in separate migrations.

## Fix safety
Safe: the column ends up NOT NULL. If NULLs remain, VALIDATE fails and they must be backfilled
first; nothing is blocked while finding out.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL
- https://www.postgresql.org/docs/release/12.0/
"""

import re
from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations import locks
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    version = step.version or ctx.version
    modern = version is None or version >= facts.SET_NOT_NULL_BY_CHECK_PG
    for action in step.actions:
        if not isinstance(action, ddl.SetNotNull) or not action.not_null or step.is_new(action.table):
            continue
        table = step.table(action.table)
        column = table.column(action.column) if table is not None else None
        if column is not None and not column.nullable:
            continue
        if modern and table is not None and _proven(table, action.column):
            continue
        t = facts.table_sql(ctx, step, action.table)
        added_here = step.column_added_here(action.table, action.column)
        default = column.default if column is not None else None
        if added_here and not facts.is_null_default(default):
            fix = "Declare NOT NULL in the ADD COLUMN itself: with a default it needs no scan."
            sql = (
                f"-- instead of ADD COLUMN, then SET NOT NULL:\nALTER TABLE {t} ADD COLUMN "
                f"{ctx.ident(action.column)} {column.raw_type if column else '<type>'} NOT NULL DEFAULT {default};"
            )
        else:
            fix = "Prove NOT NULL with a CHECK ... NOT VALID validated in its own transaction first."
            sql = facts.set_not_null_sql(ctx, step, action.table, action.column)
        yield ctx.finding(
            f"SET NOT NULL on {action.table.name}.{action.column} scans every row under an ACCESS "
            "EXCLUSIVE lock: no reads or writes until it ends.",
            location=step.location.with_object(f"{step.object_path(action.table)}.{action.column}"),
            fix=fix,
            sql=sql,
            applicability=Applicability.SAFE,
            evidence={
                "lock": locks.ACCESS_EXCLUSIVE,
                "blocks": locks.BLOCKS[locks.ACCESS_EXCLUSIVE],
                "scans": True,
                "column_added_in_this_migration": added_here,
                "pg_version": str(version) if version else None,
                "check_skips_scan_from": str(facts.SET_NOT_NULL_BY_CHECK_PG),
                "in_transaction": step.in_transaction,
            },
        )


def _proven(table: Table, column: str) -> bool:
    """A validated CHECK on the table has ``column IS NOT NULL`` as one of its AND-ed conditions."""
    wanted = f"{column.lower()} is not null"
    return any(check.validated and wanted in _conjuncts(check.expression) for check in table.checks)


def _conjuncts(expression: str) -> set[str]:
    text = " ".join(expression.replace('"', "").lower().split())
    if " or " in text:  # AND binds tighter: splitting would take an alternative for a requirement
        return {_unwrap(text)}
    return {_unwrap(part) for part in re.split(r"\s+and\s+", _unwrap(text))}


def _unwrap(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


RULE = Rule(
    name="set-not-null-scans-table",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.SetNotNull,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("set-not-null-scan",),
)
