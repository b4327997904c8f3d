"""
## What it does
Finds MySQL/MariaDB online DDL on an existing table that does not ask for `ALGORITHM=` and `LOCK=NONE`.

Applies to `ALTER TABLE` and `CREATE INDEX` whose operations can run INSTANT, or in place with
concurrent DML, on the target version. Tables created in the same migration are exempt.

## Why is this bad?
Without the clauses the server silently picks whatever the statement needs: if a later edit adds
an operation that cannot run in place (a type change, a charset conversion), or the server is an
older version than you assumed, the same migration quietly becomes a blocking table copy. With
`ALGORITHM=INPLACE, LOCK=NONE` (or `ALGORITHM=INSTANT`) the server refuses the statement instead,
before it touches the table.

## Example
```sql
ALTER TABLE orders ADD INDEX orders_status_idx (status);
```

## Use instead
```sql
ALTER TABLE orders ADD INDEX orders_status_idx (status), ALGORITHM=INPLACE, LOCK=NONE;
```
`CREATE INDEX orders_status_idx ON orders (status) ALGORITHM=INPLACE LOCK=NONE` for the CREATE
INDEX form; `ALGORITHM=INSTANT` for an instant column change. Alembic: `op.execute()` with the
statement (Alembic has no option for the clauses); Django: `migrations.RunSQL` with
`state_operations=[...]`; Prisma and Drizzle: append the clauses in the generated SQL migration;
TypeORM: `queryRunner.query()`. gh-ost and pt-online-schema-change do not need them.

## Fix safety
Safe: the operation is the same; the clauses only make the server refuse instead of falling back
to a blocking algorithm.

## References
- https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html
- https://dev.mysql.com/doc/refman/8.0/en/alter-table.html#alter-table-performance
- https://mariadb.com/kb/en/innodb-online-ddl-overview/
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _mysql_online_ddl as online
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for plan in online.plan(step, step.version or ctx.version):
        if step.is_new(plan.table) or plan.failure() is not None:
            continue
        if plan.algorithm is online.Algorithm.COPY or not plan.concurrent_dml:
            continue  # mysql-alter-copies-table's business: no clause makes it online
        if all(o.op is online.Op.RENAME_TABLE for o in plan.operations):
            continue  # metadata only; MariaDB refuses LOCK=NONE on a rename
        algorithm, lock = plan.requested_algorithm, plan.requested_lock
        if algorithm in ("COPY",) or lock in ("SHARED", "EXCLUSIVE"):
            continue  # mysql-alter-locks-table
        if plan.algorithm is online.Algorithm.INSTANT:
            wanted: tuple[str, str | None] = ("INSTANT", None)
            if algorithm in ("INSTANT", "INPLACE", "NOCOPY") and (algorithm != "INPLACE" or lock == "NONE"):
                continue
        else:
            wanted = ("INPLACE", "NONE")
            if algorithm in ("INPLACE", "NOCOPY") and lock == "NONE":
                continue
        clauses = ", ".join(f"{k}={v}" for k, v in zip(("ALGORITHM", "LOCK"), wanted, strict=True) if v)
        yield ctx.finding(
            f"{plan.kind} {plan.table.name} does not ask for {clauses}: if it ever cannot run online, MySQL "
            "silently falls back to a blocking table copy instead of refusing.",
            location=step.location.with_object(step.object_path(plan.table)),
            fix=f"Append {clauses} so the server refuses rather than locks.",
            sql=online.with_options(step, *wanted),
            applicability=Applicability.SAFE,
            severity=Severity.INFO,
            evidence={**plan.evidence(), "requested_algorithm": algorithm, "requested_lock": lock},
        )


RULE = Rule(
    name="mysql-online-ddl-unspecified",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    severity=Severity.INFO,
)
