"""
## What it does
Finds MySQL/MariaDB ALTER TABLE operations that run in place but still rebuild the whole table.

Adding or dropping a column before the version that made it INSTANT, adding a primary key,
reordering columns, changing a column's NULL-ability, `ROW_FORMAT=`, `ENGINE=InnoDB` or `FORCE`:
InnoDB writes a new copy of every row and index while DML continues. A statement that mixes an
INSTANT column change with an operation that is not INSTANT runs wholly in place, and rebuilds.
Tables created in the same migration are exempt.

## Why is this bad?
Writes are allowed, but the rebuild reads and writes the whole table (heavy I/O for minutes or
hours), the changes made meanwhile are buffered in the online log and, if it overflows
(`innodb_online_alter_log_max_size`), the statement fails at the end. An exclusive metadata lock is
taken briefly at the start and at the end: it waits behind any long transaction on the table and
everything queues behind it. Replicas apply the statement only after it finished on the primary,
and lag by its whole duration.

## Example
```sql
ALTER TABLE orders ADD COLUMN note TEXT NULL, ADD INDEX orders_status_idx (status);
```

## Use instead
Split what can be INSTANT from what cannot, and say so, so the server refuses rather than rebuilds:
```sql
ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;
ALTER TABLE orders ADD INDEX orders_status_idx (status), ALGORITHM=INPLACE, LOCK=NONE;
```
An operation that rebuilds on its own (`ADD PRIMARY KEY`, a change of NULL-ability, a column
reorder, `ENGINE=InnoDB`): on a large table run it with gh-ost or pt-online-schema-change (no
metadata-lock pile-up, throttled on replica lag); on a small one, set `lock_wait_timeout` to a few
seconds so the metadata lock fails fast instead of queueing everyone, and add
`ALGORITHM=INPLACE, LOCK=NONE`. When a newer version does the operation INSTANT the finding says
which. Alembic: one `op.execute()` per statement (Alembic has no option for `ALGORITHM=`); Django:
`migrations.RunSQL`; Prisma/Drizzle: split the generated SQL migration; TypeORM: one
`queryRunner.query()` per statement.

## Fix safety
Safe: splitting or adding `ALGORITHM=`/`LOCK=` does not change the result; the server refuses the
statement instead of falling back to a blocking copy.

## References
- https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html
- https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-space-requirements.html
- https://mariadb.com/kb/en/innodb-online-ddl-operations-with-the-instant-alter-algorithm/
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _mysql_online_ddl as online
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for plan in online.plan(step, step.version or ctx.version):
        if step.is_new(plan.table) or plan.requested_algorithm == "COPY" or plan.failure() is not None:
            continue
        if plan.runs_as is not online.Algorithm.INPLACE or not plan.rebuilds or not plan.concurrent_dml:
            continue
        flavor = online.flavor_name(plan.mariadb)
        rebuilding = [o for o in plan.operations if o.behaviour.rebuilds]
        mixed = [o for o in plan.operations if o.behaviour.rebuilds_if_inplace]
        later = sorted(
            {
                f"{o.op.value}: INSTANT from {flavor} {since}"
                for o in rebuilding
                if (since := online.instant_from(o.op, plan.mariadb)) is not None and since > plan.version
            }
        )
        names = ", ".join(
            dict.fromkeys(o.op.value + (f" ({o.detail})" if o.detail else "") for o in (rebuilding or mixed))
        )
        message = (
            f"{plan.kind} {plan.table.name}: {names} rebuilds the table in place on {flavor} "
            f"{online.shown(plan.version)}: writes continue, but it rewrites every row, lags replicas and "
            "takes an exclusive metadata lock at start and end."
        )
        fix = "Run it with gh-ost or pt-online-schema-change on a large table; otherwise bound lock_wait_timeout."
        sql = online.with_options(step, "INPLACE", "NONE")
        applicability = Applicability.MANUAL
        split = _split(step, plan) if not rebuilding and mixed and not plan.forced_inplace else None
        if plan.forced_inplace:
            message = (
                f"{plan.kind} {plan.table.name}: {names} is INSTANT on {flavor} {online.shown(plan.version)}, but "
                "the explicit ALGORITHM=INPLACE makes MySQL rebuild the whole table instead."
            )
            fix = "Ask for ALGORITHM=INSTANT."
            sql = online.with_options(step, "INSTANT")
            applicability = Applicability.SAFE
        elif split is not None:
            message = (
                f"{plan.kind} {plan.table.name}: {names} would be INSTANT alone, but combined with an operation "
                "that is not, the whole statement runs in place and rebuilds the table."
            )
            fix = "Split the statement: the column change with ALGORITHM=INSTANT, the rest on its own."
            sql = split
            applicability = Applicability.SAFE
        elif later:
            message += f" ({'; '.join(later)}.)"
        yield ctx.finding(
            message,
            location=step.location.with_object(step.object_path(plan.table)),
            fix=fix,
            sql=sql,
            applicability=applicability,
            severity=Severity.WARNING,
            evidence={**plan.evidence(), "instant_in_later_version": later},
        )


def _split(step: MigrationStep, plan: online.AlterPlan) -> str | None:
    parts = online.split_alter(step)
    if parts is None:
        return None
    head, clauses = parts
    instant = [c for c in clauses if online.is_column_clause(c)]
    rest = [c for c in clauses if not online.is_column_clause(c)]
    if not instant or not rest:
        return None
    rest_options = "ALGORITHM=INPLACE, LOCK=NONE" if plan.concurrent_dml else ""
    tail = ", ".join([*rest, *([rest_options] if rest_options else [])])
    return f"{head} {', '.join(instant)}, ALGORITHM=INSTANT;\n{head} {tail};"


RULE = Rule(
    name="mysql-alter-rebuilds-table",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    severity=Severity.WARNING,
)
