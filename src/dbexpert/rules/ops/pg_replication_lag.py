"""
## What it does
Reports replicas that are too far behind their primary. On a primary: each
`pg_stat_replication` entry whose replay lag is at least `max_lag_bytes` (default 100 MB of WAL)
or `max_lag_seconds` (default 60 s). On a standby: a last replayed transaction older than `max_lag_seconds` while WAL is still waiting to be
replayed.

## Why is this bad?
Reads sent to a lagging replica return stale data; a failover to it loses the transactions it has
not replayed; WAL piles up on the primary for it (`wal_keep_size`, or without limit through a
slot); and a synchronous standby that lags slows every commit. check_postgres'
`hot_standby_delay` and `replicate_row` and PgHero's replication lag check watch the same numbers.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "results": {"replication": [{"application_name": "replica1", "client_addr": "10.0.0.2",
   "state": "streaming", "sync_state": "async", "replay_lag_bytes": 2147483648,
   "replay_lag_seconds": 310.5}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "results": {"replication": [{"application_name": "replica1", "client_addr": "10.0.0.2",
   "state": "streaming", "sync_state": "async", "replay_lag_bytes": 16384,
   "replay_lag_seconds": 0.2}]}}
```

## Fix safety
Only diagnosis runs on the server; the causes (network, a slow replica disk, replay conflicts with
long queries on the standby, `max_standby_streaming_delay`) are fixed outside it. Manual.

## References
- https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-REPLICATION-VIEW
- https://www.postgresql.org/docs/current/hot-standby.html#HOT-STANDBY-CONFLICT
- https://bucardo.org/check_postgres/check_postgres.pl.html#hot_standby_delay
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import number
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    max_bytes, max_seconds = ctx.option("max_lag_bytes"), ctx.option("max_lag_seconds")
    for row in snapshot.rows("replication"):
        lag_bytes = number(row.get("replay_lag_bytes")) or 0
        lag_seconds = number(row.get("replay_lag_seconds")) or 0
        if lag_bytes < max_bytes and lag_seconds < max_seconds:
            continue
        name = row.get("application_name") or row.get("client_addr") or "a replica"
        yield ctx.finding(
            f"Replica {name} ({row.get('sync_state')}, {row.get('state')}) is {lag_bytes / 1024**2:,.0f} MB "
            f"and {lag_seconds:,.0f} s behind the primary.",
            location=Location(object=f"replica {name}"),
            fix="Check the replica's disk and network and its replay conflicts; if it is gone for good, "
            "remove it (and its slot) so the primary stops keeping WAL for it.",
            sql="-- on the replica:\nSELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), "
            "pg_last_xact_replay_timestamp();\nSELECT * FROM pg_stat_database_conflicts;",
            evidence={
                **dict(row),
                "max_lag_bytes": max_bytes,
                "max_lag_seconds": max_seconds,
                "source": "pg_stat_replication (pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), replay_lag)",
            },
        )
    for row in snapshot.rows("standby"):
        replay_age = number(row.get("replay_lag_seconds"))
        # An idle primary sends nothing to replay: an old timestamp with nothing pending is not lag.
        if replay_age is None or replay_age < max_seconds or row.get("caught_up"):
            continue
        yield ctx.finding(
            f"This standby's last replayed transaction is {replay_age:,.0f} s old and WAL is waiting to be "
            "replayed.",
            location=Location(object="standby"),
            fix="Look for replay conflicts (long queries on the standby hold replay back up to "
            "max_standby_streaming_delay) and for I/O saturation on the standby.",
            sql="SELECT * FROM pg_stat_database_conflicts;\nSHOW max_standby_streaming_delay;",
            evidence={
                **dict(row),
                "max_lag_seconds": max_seconds,
                "source": "now() - pg_last_xact_replay_timestamp() on the standby",
            },
        )


RULE = Rule(
    name="replication-lag",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"max_lag_bytes": 100 * 1024**2, "max_lag_seconds": 60},
)
