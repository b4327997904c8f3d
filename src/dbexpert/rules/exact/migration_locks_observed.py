"""
## What it does
Reports statements seen taking a strong lock (SHARE or stronger) or rewriting a table.

`dbexpert migrations test` runs them on a scratch database and watches their locks. When another
rule already reported the statement, the observations go into that finding's evidence instead.

## Why is this bad?
While such a lock is held, reads (ACCESS EXCLUSIVE) or writes (SHARE and stronger) on the table
wait, and so does every query queued behind them; a rewrite holds the lock for as long as it takes
to copy the table.

## Example
```sql
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);
```

## Fix safety
Manual: the observed locks and timings say what the statement will block in production.

## References
- https://www.postgresql.org/docs/current/explicit-locking.html
"""

from collections.abc import Iterator
from typing import Any

from dbexpert.model import Category, Engine, Finding, Location, Severity
from dbexpert.rules.context import RuleContext
from dbexpert.rules.exact._run import exact
from dbexpert.rules.registry import Rule, Target


def check(run: Any, ctx: RuleContext) -> Iterator[Finding]:
    for trace in run.traces:
        if (trace.path, trace.line) in run.linted_lines or not (trace.strong_locks or trace.rewrite):
            continue
        locks = ", ".join(f"{mode} on {rel}" for rel, mode in trace.strong_locks) or "no strong lock"
        rewrite = f"; rewrote {', '.join(trace.rewritten)}" if trace.rewrite else ""
        yield exact(
            ctx.finding(
                f"Observed {locks}{rewrite} for {trace.ms:.0f} ms"
                f" (reads {'blocked' if trace.blocks_reads else 'not blocked'},"
                f" writes {'blocked' if trace.blocks_writes else 'not blocked'}).",
                location=Location(trace.path, trace.line),
                evidence={"observed": trace.to_dict()},
            )
        )


RULE = Rule(
    name="migration-locks-observed",
    category=Category.SAFETY,
    severity=Severity.INFO,
    target=Target.MIGRATION_RUN,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
