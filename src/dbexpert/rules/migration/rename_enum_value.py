"""
## What it does
Finds `ALTER TYPE` `RENAME VALUE` on a PostgreSQL enum type.

## Why is this bad?
Every row holding the label changes at once, but the code still running writes and compares the old
label: its inserts fail with "invalid input value for enum", and its `WHERE state = 'paid'`
silently matches nothing. The change cannot be rolled out gradually and is easy to miss in review.

## Example
```sql
ALTER TYPE order_state RENAME VALUE 'paid' TO 'settled';
```

## Use instead
Add the new label, teach the code to accept both, move the rows in batches, then stop writing the
old label (enum labels cannot be dropped, so it stays unused):
```sql
ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'settled' AFTER 'paid';
```
Alembic: `op.execute("ALTER TYPE ... ADD VALUE ...")` in an `autocommit_block()`; Django: enum
types are usually `CharField` choices — add the new choice and migrate rows with `RunPython`;
Prisma: add the value to the `enum` block (it generates `ADD VALUE`) instead of renaming it;
Drizzle: add the value to `pgEnum`; TypeORM: `queryRunner.query()` with `ADD VALUE`.

## Fix safety
Unsafe to apply blindly: the rows still hold the old label until a batched `UPDATE` moves them, and
code must accept both labels meanwhile.

## References
- https://www.postgresql.org/docs/current/sql-altertype.html
- https://www.postgresql.org/docs/current/datatype-enum.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl
from dbexpert.sql.quote import quote_literal


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.RenameEnumValue):
            continue
        enum = facts.table_sql(ctx, step, action.name)
        new, old = quote_literal(action.new_value), quote_literal(action.old_value)
        yield ctx.finding(
            f"Renaming enum label {old} to {new} in {action.name.name} breaks the running code that "
            f"still writes or compares {old}.",
            location=step.location.with_object(step.object_path(action.name)),
            fix="Add the new label, make the code accept both, move the rows in batches, stop writing the old one.",
            sql=(
                f"ALTER TYPE {enum} ADD VALUE IF NOT EXISTS {new} AFTER {old};\n"
                f"-- then, outside the migration, in batches: UPDATE <table> SET <column> = {new} "
                f"WHERE <column> = {old} AND <key range>;"
            ),
            applicability=Applicability.MANUAL,
            evidence={
                "old_value": action.old_value,
                "new_value": action.new_value,
                "breaks": "code using the old label",
            },
        )


RULE = Rule(
    name="rename-enum-value",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.RenameEnumValue,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
