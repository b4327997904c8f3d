"""
## What it does
Reports replication that does not keep up: a replica's link down, or a replica lagging.

On a replica, `master_link_status` down or no contact
with the primary for `max_lag_seconds`; on a primary, a replica whose `lag` (seconds since its
last acknowledgement) reaches `max_lag_seconds` or whose state is not `online`.

## Why is this bad?
A replica with a broken link serves stale reads and is no copy to fail over to: promoting it loses
every write since the link broke. It is also the copy that backups are often taken from.

## Example
```json
{"engine": "redis", "version": "7.0.15",
 "facts": {"role": "slave", "master_link_status": "down", "master_link_down_since_seconds": 340}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15",
 "facts": {"role": "slave", "master_link_status": "up", "master_last_io_seconds_ago": 1}}
```

## Fix safety
Read the replica's log (`MASTER <-> REPLICA sync` lines): authentication (`masterauth`), network,
or a `repl-backlog-size` too small for the write rate, which forces full resyncs. Manual.

## References
- https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
- https://redis.io/docs/latest/commands/info/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import fact
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    limit = ctx.option("max_lag_seconds")
    if snapshot.facts.get("role") == "slave":
        status, silent = (
            snapshot.facts.get("master_link_status"),
            fact(snapshot, "master_last_io_seconds_ago"),
        )
        if status == "up" and (silent is None or silent < limit):
            return
        what = "is down" if status != "up" else f"has been silent for {int(silent or 0)} s"
        yield ctx.finding(
            f"This replica's link to its primary {what}: it serves stale data and is no copy to fail over to.",
            location=Location(object="master_link_status"),
            fix="Read the replica's log for the sync error (masterauth, network, repl-backlog-size).",
            evidence={
                k: snapshot.facts.get(k)
                for k in (
                    "master_link_status",
                    "master_last_io_seconds_ago",
                    "master_link_down_since_seconds",
                    "master_sync_in_progress",
                    "master_host",
                )
            },  # fmt: skip
        )
        return
    for replica in snapshot.rows("replicas"):
        lag, state = int(replica.get("lag", 0) or 0), replica.get("state", "online")
        if state == "online" and lag < limit:
            continue
        yield ctx.finding(
            f"Replica {replica.get('ip')}:{replica.get('port')} is {state}, {lag} s since its last acknowledgement.",
            location=Location(object=str(replica.get("name"))),
            fix="Check the replica's link and load; a growing offset gap forces a full resync.",
            evidence={**dict(replica), "master_repl_offset": snapshot.facts.get("master_repl_offset")},
        )


RULE = Rule(
    name="redis-replica-out-of-sync",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"max_lag_seconds": 10},
)
