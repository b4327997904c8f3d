"""
## What it does
Finds `LOCK=SHARED|EXCLUSIVE`, `ALGORITHM=COPY`, or an ALGORITHM=/LOCK= the server version cannot honour.

Applies to MySQL/MariaDB `ALTER TABLE` and `CREATE INDEX` on tables that already exist.

## Why is this bad?
`LOCK=SHARED` blocks every write to the table for the whole operation, `LOCK=EXCLUSIVE` blocks
reads too, and `ALGORITHM=COPY` copies the table row by row with writes blocked — even when the
operation could run INSTANT or in place with concurrent DML. An `ALGORITHM=` or `LOCK=NONE` the
operation does not support on the target version (`ALGORITHM=INSTANT` for a column type change,
`LOCK=NONE` for a FULLTEXT index, `ALGORITHM=NOCOPY` on MySQL) makes the statement fail: the
migration stops half-applied.

## Example
```sql
ALTER TABLE orders ADD INDEX orders_status_idx (status), LOCK=EXCLUSIVE;
```

## Use instead
```sql
ALTER TABLE orders ADD INDEX orders_status_idx (status), ALGORITHM=INPLACE, LOCK=NONE;
```
Ask for the least locking the operation supports on the version you run; when it supports no
concurrent DML at all, run it with gh-ost or pt-online-schema-change instead of locking the table.
In Alembic and Django (`RunSQL`) write the clauses in the SQL; Prisma/Drizzle: edit the generated
SQL migration; TypeORM: `queryRunner.query()`.

## Fix safety
Safe when the operation supports the suggested clauses on your version (the server refuses the
statement otherwise, without changing anything).

## References
- https://dev.mysql.com/doc/refman/8.0/en/alter-table.html#alter-table-performance
- https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html
- https://mariadb.com/kb/en/alter-table/#lock
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _mysql_online_ddl as online
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for plan in online.plan(step, step.version or ctx.version):
        if step.is_new(plan.table):
            continue
        finding = _finding(step, ctx, plan)
        if finding is not None:
            yield finding


def _finding(step: MigrationStep, ctx: RuleContext, plan: online.AlterPlan) -> Finding | None:
    algorithm, lock = plan.requested_algorithm, plan.requested_lock
    location = step.location.with_object(step.object_path(plan.table))
    evidence = {**plan.evidence(), "requested_algorithm": algorithm, "requested_lock": lock}
    best = _best_options(plan)
    failure = plan.failure()
    if failure is not None:
        fix_sql = online.with_options(step, *best) if best else online.gh_ost_command(step, plan.table.name)
        return ctx.finding(
            f"{plan.kind} {plan.table.name} will fail: {failure}.",
            location=location,
            fix="Request what the operation supports on this version, or run it with gh-ost / pt-online-schema-change.",
            sql=fix_sql,
            severity=Severity.ERROR,
            evidence={**evidence, "fails": True},
        )
    if algorithm != "COPY" and lock not in ("SHARED", "EXCLUSIVE"):
        return None
    blocked = "reads and writes" if lock == "EXCLUSIVE" else "writes"
    asked = ", ".join(
        x
        for x in (
            f"ALGORITHM={algorithm}" if algorithm == "COPY" else "",
            f"LOCK={lock}" if lock in ("SHARED", "EXCLUSIVE") else "",
        )
        if x
    )
    natural = (
        "needs a copy anyway"
        if plan.algorithm is online.Algorithm.COPY
        else (
            f"could run {plan.algorithm.name} with concurrent DML"
            if plan.concurrent_dml
            else "permits no concurrent DML anyway"
        )
    )
    message = (
        f"{plan.kind} {plan.table.name} asks for {asked}: {blocked} on the table are blocked for the whole "
        f"operation ({plan.worst().op.value} {natural} on {online.flavor_name(plan.mariadb)} {online.shown(plan.version)})."
    )
    if best:
        return ctx.finding(
            message,
            location=location,
            fix=f"Ask for {', '.join(f'{k}={v}' for k, v in zip(('ALGORITHM', 'LOCK'), best, strict=True) if v)} instead.",
            sql=online.with_options(step, *best),
            applicability=Applicability.SAFE,
            severity=Severity.ERROR if lock == "EXCLUSIVE" or algorithm == "COPY" else Severity.WARNING,
            evidence=evidence,
        )
    return ctx.finding(
        message,
        location=location,
        fix="The operation permits no concurrent DML here: run it with gh-ost or pt-online-schema-change.",
        sql=online.gh_ost_command(step, plan.table.name),
        severity=Severity.ERROR if lock == "EXCLUSIVE" or algorithm == "COPY" else Severity.WARNING,
        evidence=evidence,
    )


def _best_options(plan: online.AlterPlan) -> tuple[str | None, str | None] | None:
    """The least-locking clauses the operation supports on this version; None if none allows concurrent DML."""
    if not plan.concurrent_dml or plan.algorithm is online.Algorithm.COPY:
        return None
    if plan.algorithm is online.Algorithm.INSTANT:
        return ("INSTANT", None)
    return ("INPLACE", "NONE")


RULE = Rule(
    name="mysql-alter-locks-table",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    severity=Severity.ERROR,
)
