"""
## What it does
Finds `VALIDATE CONSTRAINT` in the transaction that added the constraint or already holds a write-blocking lock.

`VALIDATE CONSTRAINT` alone — in autocommit, or in a later migration — is the safe second step and
is not reported; nor are tables created earlier in the same migration.

## Why is this bad?
`NOT VALID` followed by `VALIDATE CONSTRAINT` exists so that the long check of existing rows runs
under a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes through. Inside the transaction
that ran `ADD CONSTRAINT ... NOT VALID` (or any other ALTER TABLE), the ACCESS EXCLUSIVE or SHARE
ROW EXCLUSIVE lock taken earlier is held until COMMIT, so the whole validation scan runs under it
and the split gains nothing: the table is blocked as if the constraint were added in one step.

## Example
```sql
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_positive;
COMMIT;
```

## Use instead
```sql
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
COMMIT;
ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_positive;
```
Put the VALIDATE in a migration of its own (or after the COMMIT): Alembic a second revision, or
`with op.get_context().autocommit_block():`; Django `ValidateConstraint` (or `RunSQL`) in a later
migration, since each Django migration is one transaction; Prisma and Drizzle: a second migration
file; TypeORM: a second migration class.

## Fix safety
Safe: the constraint ends up validated either way. Between the two transactions it is enforced for
new rows but not yet proven for old ones.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT
- https://www.postgresql.org/docs/current/explicit-locking.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations import locks
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl

_SPLIT_EXPLICIT = "COMMIT;\n-- then, in a transaction of its own:\n"
_SPLIT_MIGRATION = "-- move to the next migration (its own transaction):\n"


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    if not step.in_transaction:
        return
    for action in step.actions:
        if not isinstance(action, ddl.ValidateConstraint) or step.is_new(action.table):
            continue
        key = step.key(action.table)
        added_here = (key, action.name) in step.not_valid_here
        held = step.held_locks.get(key, "")
        if not added_here and not locks.blocks_writes(held):
            continue
        held = held or locks.ACCESS_EXCLUSIVE
        t = facts.table_sql(ctx, step, action.table)
        reason = "added NOT VALID earlier in this transaction" if added_here else f"{held} already held"
        yield ctx.finding(
            f"VALIDATE CONSTRAINT {action.name} runs in the same transaction as a {held} lock on "
            f"{action.table.name} ({reason}): the whole validation scan blocks {locks.BLOCKS[held]}.",
            location=step.location.with_object(step.object_path(action.table)),
            fix="Commit after ADD CONSTRAINT ... NOT VALID and validate in a separate transaction.",
            sql=(_SPLIT_EXPLICIT if step.explicit_transaction else _SPLIT_MIGRATION)
            + f"ALTER TABLE {t} VALIDATE CONSTRAINT {ctx.ident(action.name)};",
            applicability=Applicability.MANUAL,
            evidence={
                "lock": held,
                "blocks": locks.BLOCKS[held],
                "added_not_valid_in_this_transaction": added_here,
                "in_transaction": True,
                "explicit_transaction": step.explicit_transaction,
            },
        )


RULE = Rule(
    name="validate-in-same-transaction",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.ValidateConstraint,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("validate-same-transaction",),
)
