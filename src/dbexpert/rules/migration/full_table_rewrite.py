"""
## What it does
Finds commands that rewrite whole tables: `VACUUM FULL`, `CLUSTER`, `SET LOGGED`/`SET UNLOGGED`, MySQL `OPTIMIZE TABLE`.

Tables created earlier in the same migration are exempt. MySQL `ALTER TABLE ... ENGINE=`, `FORCE`
and `CONVERT TO CHARACTER SET` are reported by `mysql-alter-copies-table` and
`mysql-alter-rebuilds-table`.

## Why is this bad?
PostgreSQL writes a complete new copy of the table and of every index while holding an ACCESS
EXCLUSIVE lock: nothing can read or write the table until the copy ends, and the disk needs room
for both copies. Without a table name, `VACUUM FULL` and `CLUSTER` do this to every table of the
database in turn. MySQL `OPTIMIZE TABLE` rebuilds an InnoDB table in place: writes continue, but it
reads and writes the whole table, lags replicas, and takes an exclusive metadata lock at the start
and the end.

## Example
```sql
VACUUM FULL orders;
```

## Use instead
Reclaim space or reorder rows online, outside the migration, with pg_repack or pg_squeeze (they
copy the table in the background and swap it under a brief lock):
```sql
-- outside the migration: pg_repack --table=orders --no-order mydb
VACUUM (ANALYZE) orders;
```
On MySQL use gh-ost or pt-online-schema-change with a no-op alter (`--alter "ENGINE=InnoDB"`).
Maintenance like this does not belong in Alembic, Django, Prisma, Drizzle or TypeORM migrations:
run it from an operations job, where it can be scheduled and throttled.

## Fix safety
Safe: pg_repack and pg_squeeze leave the same rows; they need a primary key (or a unique index) and
free disk space for a second copy of the table.

## References
- https://www.postgresql.org/docs/current/sql-vacuum.html
- https://www.postgresql.org/docs/current/sql-cluster.html
- https://reorg.github.io/pg_repack/
- https://github.com/cybertec-postgresql/pg_squeeze
- https://dev.mysql.com/doc/refman/8.0/en/optimize-table.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    mysql = step.engine is Engine.MYSQL
    for action in step.actions:
        if not isinstance(action, ddl.Rewrite):
            continue
        if mysql and not action.command.upper().startswith("OPTIMIZE"):
            continue  # ALTER TABLE rebuilds: the mysql-alter-* rules
        tables = [name for name in action.tables if not step.is_new(name)]
        if action.tables and not tables:
            continue
        names = (
            ", ".join(facts.table_sql(ctx, step, name) for name in tables) or "every table of the database"
        )
        where = step.object_path(tables[0]) if tables else None
        if mysql:
            tool = " ".join(
                f"pt-online-schema-change --alter 'ENGINE=InnoDB' D=<db>,t={t.name} --execute" for t in tables
            )
            sql = f"-- outside the migration:\n{tool}"
        else:
            repack = " ".join(f"--table={facts.table_sql(ctx, step, t)}" for t in tables)
            sql = f"-- outside the migration:\npg_repack {repack or '--all'} --no-order <database>"
        yield ctx.finding(
            f"{action.command} rewrites {names}"
            + (
                " in place: the whole table is rebuilt, replicas lag, and an exclusive metadata lock is taken."
                if mysql
                else " under an ACCESS EXCLUSIVE lock: no reads or writes until the copy ends."
            ),
            location=step.location.with_object(where) if where else step.location,
            fix=(
                "Rebuild online with gh-ost or pt-online-schema-change, outside the migration."
                if mysql
                else "Rewrite online with pg_repack or pg_squeeze, outside the migration."
            ),
            sql=sql,
            applicability=Applicability.MANUAL,
            severity=Severity.WARNING if mysql else Severity.ERROR,
            evidence={
                "command": action.command,
                "lock": "exclusive metadata lock (start and end)" if mysql else "ACCESS EXCLUSIVE",
                "blocks": "DDL and, briefly, all access" if mysql else "all reads and writes",
                "rewrite": True,
                "whole_database": not action.tables,
                "in_transaction": step.in_transaction,
            },
        )


RULE = Rule(
    name="full-table-rewrite",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.Rewrite,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    aliases=("table-rewrite",),
)
