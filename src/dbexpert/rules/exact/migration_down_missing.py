"""
## What it does
Finds migrations that have no down script, when `dbexpert migrations test` runs them.

## Why is this bad?
When a release goes wrong, the way back is the down migration. Without one, rolling back means
writing the reverse SQL by hand, under pressure, against production.

## Example
```sql
-- V2__add_email.sql, and no down script next to it
ALTER TABLE users ADD COLUMN email text;
```

## Use instead
Write the down script with the up script, and let `migrations test` check that it restores the
schema (golang-migrate `*.down.sql`, dbmate `-- migrate:down`, Flyway `U2__add_email.sql`).
```sql
ALTER TABLE users DROP COLUMN email;
```

## Fix safety
Manual: only the author knows whether the change can be undone without losing data.

## References
- https://documentation.red-gate.com/fd/undo-migrations-184127627.html
- https://github.com/golang-migrate/migrate/blob/master/MIGRATIONS.md
"""

from collections.abc import Iterator
from typing import Any

from dbexpert.model import Category, Engine, Finding, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.exact._run import exact
from dbexpert.rules.registry import Rule, Target


def check(run: Any, ctx: RuleContext) -> Iterator[Finding]:
    if run.migration.down is not None:
        return
    yield exact(
        ctx.finding(
            f"Migration {run.migration.id} has no down migration: it cannot be rolled back.",
            location=run.up_location,
            fix="Write the down script that undoes the up script.",
            evidence={"migration": run.migration.id, "tool": run.migration.tool},
        )
    )


RULE = Rule(
    name="migration-down-missing",
    category=Category.CORRECTNESS,
    severity=Severity.WARNING,
    target=Target.MIGRATION_RUN,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
