"""
## What it does
Finds an existing table renamed with `ALTER TABLE` `RENAME TO` or MySQL `RENAME TABLE`.

Tables created earlier in the same migration are exempt: no running code uses them. So is the
atomic swap `RENAME TABLE t TO t_old, t_new TO t`: another table takes the old name in the same
statement.

## Why is this bad?
Every query of the code still running — and of each instance not yet redeployed — names the old
table and fails with "relation does not exist" from the moment the rename commits until the new
code is everywhere. The rename also takes an ACCESS EXCLUSIVE lock (MySQL: an exclusive metadata
lock) that queues behind long transactions.

## Example
```sql
ALTER TABLE orders RENAME TO purchases;
```

## Use instead
Expose the new name first and move the code to it; rename only when nothing uses the old name.
```sql
CREATE VIEW purchases AS SELECT * FROM orders;
```
A simple `SELECT *` view is updatable in PostgreSQL and MySQL, so the new code can read and write
through it. In a later release, rename the table and keep a view under the old name for stragglers
(`ALTER TABLE orders RENAME TO purchases; CREATE VIEW orders AS SELECT * FROM purchases;` in one
transaction, with `-- dbexpert: ignore[rename-table]` once no code uses the old name). In Alembic use `op.execute()` for
the view and `op.rename_table` later. Or rename only in code: Django `db_table`, SQLAlchemy `__tablename__` kept, Prisma `@@map("orders")`,
Drizzle `pgTable("orders", ...)` under a new variable name, TypeORM `@Entity({ name: "orders" })`.

## Fix safety
Unsafe to apply blindly: the view must be dropped before the final rename, and grants, triggers
and row-level security do not follow through a view.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html
- https://www.postgresql.org/docs/current/sql-createview.html#SQL-CREATEVIEW-UPDATABLE-VIEWS
- https://martinfowler.com/bliki/ParallelChange.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.RenameTable) or step.is_new(action.table) or _swapped(step, action):
            continue
        old = facts.table_sql(ctx, step, action.table)
        new = facts.table_sql(ctx, step, ddl.Name(action.new_name, action.table.schema))
        yield ctx.finding(
            f"Renaming {action.table.name} to {action.new_name} breaks the running code that still "
            f"queries {action.table.name}.",
            location=step.location.with_object(step.object_path(action.table)),
            fix=(
                f"Create a view {action.new_name} over {action.table.name}, move the code to it, and "
                "rename in a later release, leaving a view under the old name."
            ),
            sql=(
                f"CREATE VIEW {new} AS SELECT * FROM {old};\n"
                "-- later, once no code uses the old name:\n"
                f"{facts.lock_timeout_sql(step.engine)}\n"
                f"DROP VIEW {new};\nALTER TABLE {old} RENAME TO {ctx.ident(action.new_name)};\n"
                f"CREATE VIEW {old} AS SELECT * FROM {new};"
            ),
            applicability=Applicability.MANUAL,
            evidence={
                "breaks": "queries naming the old table",
                "lock": "ACCESS EXCLUSIVE" if step.engine is Engine.POSTGRES else "exclusive metadata lock",
                "rewrite": False,
                "in_transaction": step.in_transaction,
            },
        )


def _swapped(step: MigrationStep, action: ddl.RenameTable) -> bool:
    """``RENAME TABLE t TO t_old, t_new TO t``: one atomic statement puts another table under the
    old name, so the running code never misses it (the last step of a copy-and-swap migration)."""
    old = step.key(action.table)
    return any(
        isinstance(other, ddl.RenameTable)
        and other is not action
        and step.key(ddl.Name(other.new_name, other.table.schema)) == old
        for other in step.actions
    )


RULE = Rule(
    name="rename-table",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.RenameTable,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
)
