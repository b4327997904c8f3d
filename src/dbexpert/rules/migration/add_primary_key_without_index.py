"""
## What it does
Finds a PostgreSQL `PRIMARY KEY` added to an existing table without `USING INDEX`: the index builds under ACCESS EXCLUSIVE.

Tables created earlier in the same migration are exempt, and so is
`ADD CONSTRAINT ... PRIMARY KEY USING INDEX`.

## Why is this bad?
PostgreSQL builds the unique index inside the ALTER TABLE while holding an ACCESS EXCLUSIVE lock:
every read and write of the table waits for the whole build. A key column that is still nullable is
also made NOT NULL, which scans the table under the same lock unless a validated
`CHECK (col IS NOT NULL)` proves it (PostgreSQL 12 and later).

## Example
```sql
ALTER TABLE events ADD PRIMARY KEY (id);
```

## Use instead
```sql
ALTER TABLE events ADD CONSTRAINT events_id_not_null CHECK (id IS NOT NULL) NOT VALID;
ALTER TABLE events VALIDATE CONSTRAINT events_id_not_null;
ALTER TABLE events ALTER COLUMN id SET NOT NULL;
ALTER TABLE events DROP CONSTRAINT events_id_not_null;
CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
```
Each statement in its own transaction (the first four only for columns that are still nullable).
Alembic: `op.create_index(..., unique=True, postgresql_concurrently=True)` in an
`autocommit_block()`, then `op.execute()` the `USING INDEX` statement; Django: `AddIndexConcurrently`
in a migration with `atomic = False` and a `RunSQL` with `state_operations` for the key; Prisma and
Drizzle: edit the generated SQL into these statements, in a migration without a transaction;
TypeORM: `queryRunner.query()` each, with `transaction = false`.

## Fix safety
Safe: the key is the same. If duplicates or NULLs exist, the concurrent build or the validation
fails and must be cleaned up first. Before PostgreSQL 12 the NOT NULL step still scans under
ACCESS EXCLUSIVE: plan it for a quiet moment.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX
- https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
- https://www.postgresql.org/docs/release/12.0/
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations import locks
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.AddConstraint) or step.is_new(action.table):
            continue
        spec = action.constraint
        if spec.kind != "primary" or spec.using_index or not spec.columns:
            continue
        table = step.table(action.table)
        nullable = [
            c for c in spec.columns if table is None or (col := table.column(c)) is None or col.nullable
        ]
        t = facts.table_sql(ctx, step, action.table)
        name = ctx.ident(spec.name or f"{action.table.name}_pkey")
        lines = [facts.set_not_null_sql(ctx, step, action.table, c) for c in nullable]
        lines += [
            f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {t} ({ctx.columns_sql(spec.columns)});",
            f"ALTER TABLE {t} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name};",
        ]
        also = f" and sets {', '.join(nullable)} NOT NULL with a full scan" if nullable else ""
        yield ctx.finding(
            f"PRIMARY KEY on {action.table.name} builds its index{also} under an ACCESS EXCLUSIVE lock: "
            "no reads or writes until it ends.",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Prove NOT NULL with a validated CHECK, build the unique index concurrently, "
            "then attach it with ADD CONSTRAINT ... PRIMARY KEY USING INDEX.",
            sql="\n".join(lines),
            applicability=Applicability.SAFE,
            evidence={
                "lock": locks.ACCESS_EXCLUSIVE,
                "blocks": locks.BLOCKS[locks.ACCESS_EXCLUSIVE],
                "builds_index": True,
                "nullable_columns": nullable,
                "columns_known": step.defined(action.table),
                "in_transaction": step.in_transaction,
            },
        )


RULE = Rule(
    name="add-primary-key-without-index",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddConstraint,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("add-primary-key",),
)
