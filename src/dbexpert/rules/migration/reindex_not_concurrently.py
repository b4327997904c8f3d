"""
## What it does
Finds `REINDEX` without `CONCURRENTLY` on PostgreSQL: writes are blocked and queries planned on the table wait.

A table created earlier in the same migration is exempt. Before PostgreSQL 12, which has no
`REINDEX CONCURRENTLY`, the fix builds a replacement index concurrently and swaps it in.

## Why is this bad?
`REINDEX` holds a SHARE lock on the table (no INSERT, UPDATE or DELETE) and an ACCESS EXCLUSIVE lock
on each index it rebuilds for the whole rebuild. Every query the planner considers that index for
waits too, so on a large table the application stalls for minutes. `REINDEX TABLE`, `SCHEMA` and
`DATABASE` do this to index after index.

## Example
```sql
REINDEX INDEX orders_status_idx;
```

## Use instead
```sql
REINDEX INDEX CONCURRENTLY orders_status_idx;
```
`CONCURRENTLY` (PostgreSQL 12 and later) cannot run inside a transaction: Alembic
`with op.get_context().autocommit_block(): op.execute("REINDEX INDEX CONCURRENTLY …")`; Django
`RunSQL` in a migration with `atomic = False`; Prisma: a migration file holding only this statement;
Drizzle: a custom SQL migration; TypeORM `queryRunner.query(...)` with `transaction = false`.
Rebuilding indexes is maintenance: it usually belongs in an operations job rather than a migration.
Before PostgreSQL 12, `CREATE INDEX CONCURRENTLY` a copy, `DROP INDEX CONCURRENTLY` the old one and
rename the copy.

## Fix safety
Safe: the rebuilt index is the same. A concurrent rebuild takes longer, needs room for a second
copy of the index, and if it fails leaves an INVALID `_ccnew` index to drop before retrying.
`REINDEX SYSTEM` has no concurrent form and is not reported.

## References
- https://www.postgresql.org/docs/current/sql-reindex.html#SQL-REINDEX-CONCURRENTLY
- https://www.postgresql.org/docs/release/12.0/
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Version
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations import locks
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl

REINDEX_CONCURRENTLY_PG = Version(12)
# REINDEX forms with a concurrent variant, and the keyword naming the target.
_KINDS = {"index": "INDEX", "table": "TABLE", "schema": "SCHEMA", "database": "DATABASE"}


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    version = step.version or ctx.version
    modern = version is None or version >= REINDEX_CONCURRENTLY_PG
    for action in step.actions:
        if not isinstance(action, ddl.Reindex) or action.concurrently or action.kind not in _KINDS:
            continue
        if action.kind == "table" and step.is_new(action.name):
            continue
        keyword = _KINDS[action.kind]
        named = action.kind in ("index", "table")
        target = facts.table_sql(ctx, step, action.name) if named else ctx.ident(action.name.name)
        if modern:
            sql = f"REINDEX {keyword} CONCURRENTLY {target};"
            fix = "Rebuild concurrently, outside any transaction."
        else:
            sql = _swap_sql(ctx, action, target)
            fix = (
                f"PostgreSQL {version} has no REINDEX CONCURRENTLY: build a copy concurrently and swap it in."
            )
        yield ctx.finding(
            f"REINDEX {keyword} {action.name.name} blocks writes and the queries that use the index "
            "while it rebuilds.",
            location=step.location.with_object(_object(step, action)),
            fix=fix,
            sql=sql,
            applicability=Applicability.SAFE if modern else Applicability.MANUAL,
            evidence={
                "lock": f"{locks.SHARE} on the table, {locks.ACCESS_EXCLUSIVE} on each index",
                "blocks": "writes, and reads planned against the rebuilt index",
                "in_transaction": step.in_transaction,
                "pg_version": str(version) if version else None,
                "concurrently_from": str(REINDEX_CONCURRENTLY_PG),
            },
        )


def _object(step: MigrationStep, action: ddl.Reindex) -> str:
    return step.object_path(action.name) if action.kind in ("index", "table") else action.name.name


def _swap_sql(ctx: RuleContext, action: ddl.Reindex, target: str) -> str:
    if action.kind != "index":
        return (
            f"-- for each index of {target}: build a copy concurrently, drop the old one concurrently, "
            "rename the copy:\n"
            "CREATE INDEX CONCURRENTLY <index>_new ON <table> (<same definition>);\n"
            "DROP INDEX CONCURRENTLY <index>;\n"
            "ALTER INDEX <index>_new RENAME TO <index>;"
        )
    new = ctx.ident(f"{action.name.name}_new")
    schema = f"{ctx.ident(action.name.schema)}." if action.name.schema else ""
    return (
        "-- the same definition as pg_get_indexdef() shows for the old index:\n"
        f"CREATE INDEX CONCURRENTLY {new} ON <table> (<same definition>);\n"
        f"DROP INDEX CONCURRENTLY {target};\n"
        f"ALTER INDEX {schema}{new} RENAME TO {ctx.ident(action.name.name)};"
    )


RULE = Rule(
    name="reindex-not-concurrently",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.Reindex,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("reindex-not-concurrent",),
)
