"""
## What it does
Reports down migrations that drop a table or a column holding rows, measured on a scratch database
filled with production-like rows before the migration ran.

## Why is this bad?
Rolling back such a migration deletes what was written since the up ran: the rows of the new
table, the values of the new column. Nothing brings them back except a restore.

## Example
```sql
-- up
ALTER TABLE users ADD COLUMN nickname text DEFAULT '';
-- down
ALTER TABLE users DROP COLUMN nickname;
```

## Use instead
Keep the data when rolling back: rename instead of dropping, or copy it aside first.
```sql
-- down
ALTER TABLE users RENAME COLUMN nickname TO nickname_rolled_back;
```

## Fix safety
Manual: decide whether the data may be lost on rollback, and back it up if not.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html
"""

from collections.abc import Iterator
from typing import Any

from dbexpert.model import Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.exact._run import exact
from dbexpert.rules.registry import Rule, Target


def check(run: Any, ctx: RuleContext) -> Iterator[Finding]:
    for name, rows in run.lost:
        what = (
            f"column {name}, which held {rows} values"
            if name.count(".") >= 2
            else f"table {name}, which held {rows} rows"
        )
        yield exact(
            ctx.finding(
                f"The down migration of {run.migration.id} drops {what}.",
                location=run.down_location.with_object(name),
                fix="Keep or back up the data the down script drops.",
                evidence={"migration": run.migration.id, "object": name, "held_before_down": rows},
            )
        )


RULE = Rule(
    name="migration-down-loses-data",
    category=Category.SAFETY,
    severity=Severity.WARNING,
    target=Target.MIGRATION_RUN,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
