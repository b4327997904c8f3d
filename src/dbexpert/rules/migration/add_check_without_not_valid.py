"""
## What it does
Finds a PostgreSQL `CHECK` constraint added to an existing table without `NOT VALID`: a full scan under ACCESS EXCLUSIVE.

Tables created earlier in the same migration are exempt, and so is `NOT VALID`.

## Why is this bad?
`ALTER TABLE ... ADD CONSTRAINT ... CHECK` takes an ACCESS EXCLUSIVE lock and keeps it while it
evaluates the expression on every existing row. Nothing can read or write the table until the
scan ends: seconds to minutes on a large table, with every request queueing behind it.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0);
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
-- in a separate transaction (autocommit, or the next migration):
ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_positive;
```
`NOT VALID` takes the lock only for an instant and enforces the check for new rows; `VALIDATE`
checks the old rows under a SHARE UPDATE EXCLUSIVE lock that lets reads and writes through.
Alembic: `op.execute()` both statements (`op.create_check_constraint` has no NOT VALID), the
VALIDATE in a later revision or an `autocommit_block()`; Django: `AddConstraintNotValid` then
`ValidateConstraint` (`django.contrib.postgres.operations`) in two migrations; Prisma and Drizzle:
edit the generated SQL and put the VALIDATE in a second migration; TypeORM: `queryRunner.query()`
the two statements in two migrations.

## Fix safety
Safe: the same constraint ends up validated. Until VALIDATE runs old rows are not proven; if some
violate the check, VALIDATE fails and they must be fixed first.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
- https://docs.djangoproject.com/en/stable/ref/contrib/postgres/operations/
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
        if spec.kind != "check" or not spec.validated or spec.expression is None:
            continue
        t = facts.table_sql(ctx, step, action.table)
        name = ctx.ident(spec.name or f"{action.table.name}_{'_'.join(spec.columns) or 'check'}_check")
        yield ctx.finding(
            f"CHECK constraint on {action.table.name} scans every row under an ACCESS EXCLUSIVE lock: "
            "no reads or writes until it ends.",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Add the CHECK NOT VALID, then VALIDATE it in a separate transaction.",
            sql=f"ALTER TABLE {t} ADD CONSTRAINT {name} CHECK ({spec.expression}) NOT VALID;\n"
            "-- in a separate transaction (autocommit, or the next migration):\n"
            f"ALTER TABLE {t} VALIDATE CONSTRAINT {name};",
            applicability=Applicability.SAFE,
            evidence={
                "lock": locks.ACCESS_EXCLUSIVE,
                "blocks": locks.BLOCKS[locks.ACCESS_EXCLUSIVE],
                "scans": True,
                "in_transaction": step.in_transaction,
            },
        )


RULE = Rule(
    name="add-check-without-not-valid",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddConstraint,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("check-not-valid",),
)
