"""
## What it does
Runs each migration up, down, and up again on a scratch database, and reports when the second up
fails or builds a different schema than the first.

## Why is this bad?
Rolling back and deploying again is the usual way out of a bad release. If the up script fails the
second time (the down left an object behind: "relation already exists"), or builds something else,
the redeploy breaks in production.

## Example
```sql
-- up
CREATE TABLE audit_log (id bigint PRIMARY KEY);
CREATE SEQUENCE audit_seq;
-- down
DROP TABLE audit_log;
```

## Use instead
```sql
-- down
DROP SEQUENCE audit_seq;
DROP TABLE audit_log;
```

## Fix safety
Manual: the down script must drop what the up script creates.

## References
- https://www.postgresql.org/docs/current/sql-droptable.html
"""

from collections.abc import Iterator
from typing import Any

from dbexpert.model import Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.exact._run import exact
from dbexpert.rules.registry import Rule, Target


def check(run: Any, ctx: RuleContext) -> Iterator[Finding]:
    if run.up_again_error is not None:
        yield exact(
            ctx.finding(
                f"Migration {run.migration.id} fails when applied again after its down: {run.up_again_error}",
                location=run.up_location,
                fix="Make the down script drop everything the up script creates.",
                evidence={"migration": run.migration.id, "error": run.up_again_error},
            )
        )
    elif run.repeat_differences:
        shown = "; ".join(run.repeat_differences[:5])
        yield exact(
            ctx.finding(
                f"Migration {run.migration.id} builds a different schema when applied again: {shown}",
                location=run.up_location,
                fix="Make up, down, up end where up ended.",
                evidence={"migration": run.migration.id, "differences": list(run.repeat_differences)},
            )
        )


RULE = Rule(
    name="migration-up-not-repeatable",
    category=Category.CORRECTNESS,
    target=Target.MIGRATION_RUN,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
