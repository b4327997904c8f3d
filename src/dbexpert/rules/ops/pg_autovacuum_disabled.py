"""
## What it does
Reports a server with `autovacuum = off`, or with `track_counts = off` (which leaves autovacuum
nothing to act on).

## Why is this bad?
Without autovacuum nothing removes dead rows, refreshes planner statistics or freezes old
transaction ids unless someone schedules it: tables bloat, plans degrade, and the server eventually
stops accepting writes to avoid transaction-id wraparound (anti-wraparound vacuums still start, but
late and all at once). postgresqltuner and PgHero both flag it; there is almost never a reason to
turn it off server-wide rather than tune it.

## Example
```json
{"engine": "postgres", "version": "15.4", "settings": {"autovacuum": "off", "track_counts": "on"}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4", "settings": {"autovacuum": "on", "track_counts": "on"}}
```

## Fix safety
Applies on reload. The first autovacuum runs after a long pause can do a lot of I/O on big tables;
tune `autovacuum_vacuum_cost_limit` if that hurts. Safe.

## References
- https://www.postgresql.org/docs/current/routine-vacuuming.html#AUTOVACUUM
- https://www.postgresql.org/docs/current/runtime-config-autovacuum.html
- https://github.com/jfcoz/postgresqltuner
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import alter_system
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    for name in ("autovacuum", "track_counts"):
        if snapshot.setting(name) != "off":
            continue
        yield ctx.finding(
            f"{name} is off: nothing vacuums, analyzes or freezes tables unless scheduled by hand.",
            location=Location(object=name),
            fix=f"Turn {name} back on (reload) and tune per-table autovacuum settings instead of disabling it.",
            sql=alter_system(name, "on"),
            applicability=Applicability.SAFE,
            evidence={
                "autovacuum": snapshot.setting("autovacuum"),
                "track_counts": snapshot.setting("track_counts"),
                "source": "pg_settings",
            },
        )


RULE = Rule(
    name="autovacuum-disabled",
    category=Category.SAFETY,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
