"""
## What it does
Reports an RDB snapshot older than `max_age_minutes` on a server without the append-only file.

It fires only while writes wait for the next save (`rdb_changes_since_last_save` > 0).

## Why is this bad?
Without the append-only file, the recovery point is the last snapshot: a crash now loses every
write since `rdb_last_save_time`. Save points that never trigger on a quiet server, or saves that
fail, let that window grow without anyone noticing.

## Example
```json
{"engine": "redis", "version": "7.0.15", "settings": {"appendonly": "no", "save": "86400 1"},
 "facts": {"server_time_usec": 1700090000000000, "rdb_last_save_time": 1700000000,
           "rdb_changes_since_last_save": 52000}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15", "settings": {"appendonly": "no", "save": "3600 1 300 100 60 10000"},
 "facts": {"server_time_usec": 1700000600000000, "rdb_last_save_time": 1700000000,
           "rdb_changes_since_last_save": 52000}}
```

## Fix safety
`CONFIG SET save` is online; each save forks the process. Turning on the AOF (`appendonly yes`,
`appendfsync everysec`) bounds the loss to about a second. Manual.

## References
- https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import config_fix, fact
from dbexpert.rules.registry import Rule, Target


def snapshot_age(snapshot: HealthSnapshot) -> float | None:
    """Seconds since the last successful RDB save, on the server's clock."""
    now, saved = fact(snapshot, "server_time_usec"), fact(snapshot, "rdb_last_save_time")
    if now is None or saved is None:
        return None
    return max(0.0, now / 1e6 - saved)


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if snapshot.setting("appendonly") != "no" or not (snapshot.setting("save") or "").strip():
        return  # AOF covers it, or persistence is off (its own rule)
    age, changes = snapshot_age(snapshot), int(fact(snapshot, "rdb_changes_since_last_save") or 0)
    if age is None or changes == 0 or age < ctx.option("max_age_minutes") * 60:
        return
    yield ctx.finding(
        f"The last RDB snapshot is {age / 60:.0f} min old with {changes} writes since: a crash now loses them.",
        location=Location(object="save"),
        fix="Save more often, or turn on the append-only file (appendfsync everysec).",
        sql=config_fix("save", "3600 1 300 100 60 10000"),
        evidence={
            "seconds_since_last_save": int(age),
            "rdb_changes_since_last_save": changes,
            "save": snapshot.setting("save"),
            "rdb_last_bgsave_status": snapshot.facts.get("rdb_last_bgsave_status"),
            "measured": "INFO persistence, INFO server (server clock)",
        },  # fmt: skip
    )


RULE = Rule(
    name="backup-redis-snapshot-old",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"max_age_minutes": 60},
)
