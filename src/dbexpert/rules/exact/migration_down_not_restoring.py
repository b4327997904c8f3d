"""
## What it does
Reports down migrations that do not bring the schema back to what it was before the up.

`dbexpert migrations test` runs the up and then the down script on a scratch database, and
compares the schema after the down with the schema before the up: tables, columns (type,
nullability, default), constraints, indexes, sequences, enums and views.

## Why is this bad?
A down migration that leaves an index behind, forgets one, or restores a column with another type
leaves the database in a state no release was tested against; the next up may fail on it, or the
old release runs without the index it needs.

## Example
```sql
-- up
ALTER TABLE users ALTER COLUMN email TYPE varchar(200);
-- down
ALTER TABLE users ALTER COLUMN email TYPE varchar(100) USING left(email, 100);
-- (the column was varchar(120) before)
```

## Use instead
A down script that reverses every statement of the up script exactly, in reverse order.
```sql
-- down
ALTER TABLE users ALTER COLUMN email TYPE varchar(120);
```

## Fix safety
Manual: the differences listed in the finding say what the down script must also undo.

## References
- https://www.postgresql.org/docs/current/ddl-alter.html
"""

from collections.abc import Iterator
from typing import Any

from dbexpert.model import Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.exact._run import exact
from dbexpert.rules.registry import Rule, Target


def check(run: Any, ctx: RuleContext) -> Iterator[Finding]:
    if run.migration.down is None:
        return
    if run.down_error is not None:
        yield exact(
            ctx.finding(
                f"The down migration of {run.migration.id} fails after its up: {run.down_error}",
                location=run.down_location,
                fix="Make the down script run on the schema the up script leaves.",
                evidence={"migration": run.migration.id, "error": run.down_error},
            )
        )
        return
    if not run.restore_differences:
        return
    shown = "; ".join(run.restore_differences[:5])
    more = len(run.restore_differences) - 5
    yield exact(
        ctx.finding(
            f"The down migration of {run.migration.id} does not restore the schema: {shown}"
            + (f" (and {more} more)" if more > 0 else ""),
            location=run.down_location,
            fix="Undo every change of the up script in the down script.",
            evidence={"migration": run.migration.id, "differences": list(run.restore_differences)},
        )
    )


RULE = Rule(
    name="migration-down-not-restoring",
    category=Category.CORRECTNESS,
    target=Target.MIGRATION_RUN,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
