"""
## What it does
Reports a server where checkpoints come from WAL volume rather than from the timer. It fires
when checkpoints requested (WAL reached `max_wal_size`, or a `CHECKPOINT`) rather than started by
`checkpoint_timeout` are at least `max_requested_ratio` (default
50 %) of `min_checkpoints` (default 10) or more checkpoints since the statistics were reset. Read
from `pg_stat_bgwriter` (12-16) or `pg_stat_checkpointer` (17+).

## Why is this bad?
Each checkpoint writes every dirty buffer, and the first change to each page after it writes the
whole page to WAL again (full-page writes). Checkpoints forced by WAL volume come far more often
than the timeout intends: write I/O spikes and WAL grows for nothing. postgresqltuner and the
PostgreSQL documentation recommend raising `max_wal_size` until timed checkpoints dominate. Note:
`CREATE DATABASE`, base backups and manual `CHECKPOINT` count as requested too.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"max_wal_size": "1GB", "checkpoint_timeout": "5min"},
 "results": {"checkpoints": [{"timed": 120, "requested": 900, "stats_reset": "2024-05-01T00:00:00+00:00"}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"max_wal_size": "8GB", "checkpoint_timeout": "15min"},
 "results": {"checkpoints": [{"timed": 900, "requested": 12, "stats_reset": "2024-05-01T00:00:00+00:00"}]}}
```

## Fix safety
A larger `max_wal_size` applies on reload; it uses more disk for WAL and lengthens crash recovery
somewhat. Manual.

## References
- https://www.postgresql.org/docs/current/wal-configuration.html
- https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-CHECKPOINTER-VIEW
- https://github.com/jfcoz/postgresqltuner
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import alter_system, human, size_bytes
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    rows = snapshot.rows("checkpoints")
    if not rows:
        return
    timed, requested = int(rows[0].get("timed") or 0), int(rows[0].get("requested") or 0)
    total = timed + requested
    if total < ctx.option("min_checkpoints") or requested / total < ctx.option("max_requested_ratio"):
        return
    current = size_bytes(snapshot.setting("max_wal_size"))
    target = human(current * 2) if current else "4GB"
    yield ctx.finding(
        f"{requested:,} of {total:,} checkpoints were requested rather than timed: WAL reaches max_wal_size "
        f"({snapshot.setting('max_wal_size')}) before checkpoint_timeout ({snapshot.setting('checkpoint_timeout')}).",
        location=Location(object="max_wal_size"),
        fix=f"Raise max_wal_size (to {target}, then watch the ratio again) so checkpoints follow the timeout.",
        sql=alter_system("max_wal_size", target),
        evidence={
            **dict(rows[0]),
            "max_wal_size": snapshot.setting("max_wal_size"),
            "checkpoint_timeout": snapshot.setting("checkpoint_timeout"),
            "source": "pg_stat_checkpointer"
            if snapshot.version and snapshot.version.major >= 17
            else "pg_stat_bgwriter (checkpoints_timed, checkpoints_req)",
        },
    )


RULE = Rule(
    name="checkpoints-too-frequent",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_checkpoints": 10, "max_requested_ratio": 0.5},
)
