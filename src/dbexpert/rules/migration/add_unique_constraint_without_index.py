"""
## What it does
Finds a PostgreSQL `UNIQUE` constraint added to an existing table without `USING INDEX`: the index builds under ACCESS EXCLUSIVE.

Covers `ADD CONSTRAINT ... UNIQUE (...)` and `ADD COLUMN ... UNIQUE`. Tables created earlier in the
same migration are exempt, and so is `ADD CONSTRAINT ... UNIQUE USING INDEX`.

## Why is this bad?
PostgreSQL builds the unique index inside the ALTER TABLE, holding an ACCESS EXCLUSIVE lock for the
whole build: every read and write of the table waits, for minutes on a large table.

## Example
```sql
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
```

## Use instead
```sql
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
```
The index is built without blocking writes; attaching it as the constraint is a catalog change.
`CREATE INDEX CONCURRENTLY` cannot run in a transaction: Alembic `op.create_index(...,
unique=True, postgresql_concurrently=True)` in an `autocommit_block()`, then
`op.execute("ALTER TABLE ... USING INDEX ...")`; Django `AddIndexConcurrently` (atomic = False) and
a `RunSQL` for the constraint with `state_operations=[AddConstraint(...)]`; Prisma and Drizzle: edit
the generated SQL into these two statements, in a migration that is not wrapped in a transaction;
TypeORM `queryRunner.query()` both, with `transaction = false`.

## Fix safety
Safe: the constraint is the same. If duplicates exist, the concurrent build fails and leaves an
INVALID index to drop. A partitioned table needs the index built on each partition
(`CREATE INDEX ... ON ONLY` the parent, then `ATTACH PARTITION` each index).

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX
- https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
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
        if not isinstance(action, ddl.AddConstraint | ddl.AddColumn) or step.is_new(action.table):
            continue
        specs: list[tuple[ddl.ConstraintSpec, ddl.ColumnSpec | None]]
        if isinstance(action, ddl.AddConstraint):
            specs = [(action.constraint, None)]
        else:
            specs = [(spec, action.column) for spec in action.column.constraints]
        for spec, column in specs:
            if spec.kind != "unique" or spec.using_index or not (spec.columns or spec.keys):
                continue
            yield _finding(step, ctx, action.table, spec, column)


def _finding(
    step: MigrationStep,
    ctx: RuleContext,
    table: ddl.Name,
    spec: ddl.ConstraintSpec,
    column: ddl.ColumnSpec | None,
) -> Finding:
    t = facts.table_sql(ctx, step, table)
    columns = spec.columns or tuple(key.column for key in spec.keys if key.column)
    name = ctx.ident(spec.name or f"{table.name}_{'_'.join(columns)}_key")
    lines = []
    if column is not None:
        extra = (" NOT NULL" if column.not_null else "") + (
            f" DEFAULT {column.default}" if column.default is not None else ""
        )
        lines.append(f"ALTER TABLE {t} ADD COLUMN {facts.column_sql(ctx, column)}{extra};")
    lines += [
        f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {t} ({ctx.columns_sql(columns)});",
        f"ALTER TABLE {t} ADD CONSTRAINT {name} UNIQUE USING INDEX {name};",
    ]
    return ctx.finding(
        f"UNIQUE constraint on {table.name} builds its index under an ACCESS EXCLUSIVE lock: "
        "no reads or writes until the build ends.",
        location=step.location.with_object(step.object_path(table)),
        fix="Build the unique index concurrently, then attach it with ADD CONSTRAINT ... UNIQUE USING INDEX.",
        sql="\n".join(lines),
        applicability=Applicability.SAFE,
        evidence={
            "lock": locks.ACCESS_EXCLUSIVE,
            "blocks": locks.BLOCKS[locks.ACCESS_EXCLUSIVE],
            "builds_index": True,
            "in_transaction": step.in_transaction,
        },
    )


RULE = Rule(
    name="add-unique-constraint-without-index",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddConstraint, ddl.AddColumn),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("add-unique-constraint",),
)
