"""
## What it does
Finds MySQL/MariaDB ALTER TABLE operations that copy the table or block writes while they run.

The server picks the cheapest algorithm an operation supports on the target version; these have
only `ALGORITHM=COPY` (a column type change, a VARCHAR growing past 255 bytes, `CONVERT TO CHARACTER
SET`, `DROP PRIMARY KEY` without a new one, a STORED generated column, a foreign key while
`foreign_key_checks=1`, a change of storage engine) or run in place without concurrent DML (the
first FULLTEXT index, a SPATIAL index, an AUTO_INCREMENT column). Tables created in the same
migration are exempt.

## Why is this bad?
With `ALGORITHM=COPY` InnoDB creates a new table, copies every row into it and swaps the two:
INSERT, UPDATE and DELETE on the table wait for the whole copy — minutes to hours on a large
table — and the application's requests pile up behind them. Replicas then replay the same copy
serially, so they fall behind by as long again.

## Example
```sql
ALTER TABLE orders MODIFY total BIGINT NOT NULL;
```

## Use instead
Change the table without blocking it: with gh-ost or pt-online-schema-change, which copy the rows
in the background while writes continue and swap the tables at the end; or expand and contract —
add a new column (INSTANT), backfill it in batches, switch the code over, then drop the old one:
```sql
ALTER TABLE orders ADD COLUMN total_v2 BIGINT NULL, ALGORITHM=INSTANT;
```
When an in-place form exists it is named in the finding: `DROP PRIMARY KEY, ADD PRIMARY KEY (...)`
in one statement runs in place; a foreign key added with `SET foreign_key_checks = 0` runs in place
(check for orphan rows first, since existing rows are not validated); a VIRTUAL generated column
is INSTANT where a STORED one copies. In Alembic use `op.execute()` with the statement and
`ALGORITHM=INPLACE, LOCK=NONE` (or run gh-ost outside the migration and mark it applied); Django
`migrations.RunSQL` with `state_operations`; Prisma and Drizzle: edit the generated SQL migration;
TypeORM `queryRunner.query(...)`. Many teams run gh-ost/pt-osc from the deploy pipeline for such
statements and keep the migration file as the record.

## Fix safety
Unsafe to apply blindly: gh-ost and pt-osc need a primary or unique key, disk for a second copy of
the table, and (pt-osc) triggers; expand/contract changes application code in several deploys.

## References
- https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html
- https://mariadb.com/kb/en/innodb-online-ddl-operations-with-the-inplace-alter-algorithm/
- https://github.com/github/gh-ost
- https://docs.percona.com/percona-toolkit/pt-online-schema-change.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _mysql_online_ddl as online
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep

# The in-place alternative, when the operation has one.
_ALTERNATIVE = {
    online.Op.DROP_PRIMARY_KEY: (
        "Drop and add the primary key in the same statement (DROP PRIMARY KEY, ADD PRIMARY KEY (...)): "
        "that runs in place with concurrent DML; a table without a primary key is also a problem of its own."
    ),
    online.Op.ADD_FOREIGN_KEY: (
        "Add the foreign key with foreign_key_checks disabled for the session: it then runs in place "
        "with concurrent DML, but existing rows are not checked, so look for orphans first."
    ),
    online.Op.ADD_STORED_COLUMN: (
        "Use a VIRTUAL generated column (INSTANT), indexed if it must be searched, instead of a STORED one."
    ),
    online.Op.EXTEND_VARCHAR_ACROSS_PREFIX: (
        "Keep the new maximum length on the same side of 255 bytes (a one-byte length prefix), "
        "which extends in place without a copy, or run the change with gh-ost / pt-online-schema-change."
    ),
    online.Op.ADD_FULLTEXT_INDEX: (
        "Build the FULLTEXT index with gh-ost / pt-online-schema-change; adding an FTS_DOC_ID BIGINT UNSIGNED "
        "NOT NULL column with a unique FTS_DOC_ID_INDEX beforehand avoids the rebuild of later ones."
    ),
}


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for plan in online.plan(step, step.version or ctx.version):
        if step.is_new(plan.table) or plan.requested_algorithm == "COPY" or plan.failure() is not None:
            continue
        if plan.algorithm is not online.Algorithm.COPY and plan.concurrent_dml:
            continue
        worst = plan.worst()
        where = step.object_path(plan.table)
        flavor = f"{online.flavor_name(plan.mariadb)} {online.shown(plan.version)}"
        what = worst.op.value + (f" ({worst.detail})" if worst.detail else "")
        if plan.algorithm is online.Algorithm.COPY:
            message = (
                f"{plan.kind} {plan.table.name}: {what} needs ALGORITHM=COPY on {flavor}: the table is copied "
                "row by row and writes to it are blocked until the copy ends."
            )
        else:
            message = (
                f"{plan.kind} {plan.table.name}: {what} runs in place on {flavor} but does not permit "
                "concurrent DML: writes to the table are blocked while it runs."
            )
        alternative = _ALTERNATIVE.get(worst.op)
        fix = alternative or (
            "Run the change with gh-ost or pt-online-schema-change, or expand and contract "
            "(add a new column, backfill in batches, switch the code, drop the old column)."
        )
        sql = _alternative_sql(step, plan, worst.op) or online.gh_ost_command(step, plan.table.name)
        yield ctx.finding(
            message,
            location=step.location.with_object(where),
            fix=fix,
            sql=sql,
            severity=Severity.ERROR,
            evidence={**plan.evidence(), "operation": worst.op.value, "detail": worst.detail},
        )


def _alternative_sql(step: MigrationStep, plan: online.AlterPlan, op: online.Op) -> str | None:
    if op is online.Op.ADD_FOREIGN_KEY and len(plan.operations) == 1:
        return (
            "SET foreign_key_checks = 0;\n"
            + online.with_options(step, "INPLACE", "NONE")
            + "\nSET foreign_key_checks = 1;"
        )
    return None


RULE = Rule(
    name="mysql-alter-copies-table",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    severity=Severity.ERROR,
)
