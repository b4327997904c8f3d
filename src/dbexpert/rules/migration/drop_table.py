"""
## What it does
Finds `DROP TABLE` of a table the migration did not create.

## Why is this bad?
The rows are gone for good, and any code still running that reads or writes the table fails with
"relation does not exist". Foreign keys, views and functions that depend on it block the drop, or
disappear with it under `CASCADE`.

## Example
```sql
DROP TABLE audit_log;
```

## Use instead
Two releases: first remove every use of the table from the code and cut off access, so a leftover
reader shows up as a permission error you can still undo; drop it in a later migration.
```sql
REVOKE ALL ON audit_log FROM PUBLIC;
```
Django: delete the model with `SeparateDatabaseAndState` (state only) and drop the table in a later
migration; Alembic: remove the model, deploy, then `op.drop_table` in a later revision; Prisma and
Drizzle: remove the model, deploy, then generate the drop; TypeORM: remove the entity, deploy, then
`queryRunner.dropTable`. Suppress with `-- dbexpert: ignore[drop-table]` once nothing uses it.

## Fix safety
Unsafe: dropping is irreversible; keep a dump (`pg_dump -t`, `mysqldump db table`) if the data may
be needed again.

## References
- https://www.postgresql.org/docs/current/sql-droptable.html
- https://dev.mysql.com/doc/refman/8.0/en/drop-table.html
- https://docs.djangoproject.com/en/stable/ref/migration-operations/#separatedatabaseandstate
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
        if not isinstance(action, ddl.Drop) or action.kind != "table":
            continue
        for name in action.names:
            if step.is_new(name):
                continue
            table = facts.table_sql(ctx, step, name)
            yield ctx.finding(
                f"Dropping {name.name} loses its data and breaks the running code that still uses it"
                + (
                    ", and CASCADE drops the views and foreign keys that depend on it."
                    if action.cascade
                    else "."
                ),
                location=step.location.with_object(step.object_path(name)),
                fix="Release the code that no longer uses the table first; drop it in a later migration.",
                sql=(
                    f"-- release 1: stop using the table in code, and cut off access:\nREVOKE ALL ON {table} FROM PUBLIC;\n"
                    "-- release 2, once nothing uses it:\n"
                    f"{facts.lock_timeout_sql(step.engine)}\nDROP TABLE {table};"
                ),
                applicability=Applicability.MANUAL,
                evidence={
                    "data_loss": True,
                    "cascade": action.cascade,
                    "known_to_files": step.defined(name),
                    "lock": "ACCESS EXCLUSIVE"
                    if step.engine is Engine.POSTGRES
                    else "exclusive metadata lock",
                    "in_transaction": step.in_transaction,
                },
            )


RULE = Rule(
    name="drop-table",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.Drop,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
)
