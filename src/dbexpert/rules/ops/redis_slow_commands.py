"""
## What it does
Reports commands in the slow log (`SLOWLOG GET`) that ran for `min_ms` or longer, grouped by
command name. Only the names are reported: the arguments may hold data.

## Why is this bad?
Redis runs commands one at a time: a 50 ms `KEYS`, `HGETALL` of a huge hash or `SMEMBERS` blocks
every other client for those 50 ms. The slow log is what redis-cli, RedisInsight and runbooks read
first; the cure is usually a bounded command (SCAN, HSCAN, a smaller range) or a smaller key.

## Example
```json
{"engine": "redis", "version": "7.0.15", "settings": {"slowlog-log-slower-than": "10000"},
 "results": {"slowlog": [{"id": 7, "start_time": 1700000000, "duration_us": 85000, "command": "KEYS"}]}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15", "settings": {"slowlog-log-slower-than": "10000"},
 "results": {"slowlog": []}}
```

## Fix safety
Changing commands changes the application; `SLOWLOG RESET` only forgets the entries. Manual.

## References
- https://redis.io/docs/latest/commands/slowlog-get/
- https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/latency/
"""

from collections.abc import Iterator
from typing import Any

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target

BOUNDED = {"KEYS": "SCAN with COUNT", "SMEMBERS": "SSCAN", "HGETALL": "HSCAN", "LRANGE": "a smaller range",
           "ZRANGE": "ZSCAN or a smaller range", "FLUSHALL": "FLUSHALL ASYNC", "DEL": "UNLINK"}  # fmt: skip


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    floor = ctx.option("min_ms") * 1000
    by_command: dict[str, list[int]] = {}
    for entry in snapshot.rows("slowlog"):
        if int(entry["duration_us"]) >= floor:
            by_command.setdefault(str(entry["command"]), []).append(int(entry["duration_us"]))
    for command, durations in sorted(by_command.items(), key=lambda item: -max(item[1])):
        hint = f" Use {BOUNDED[command]} instead." if command in BOUNDED else ""
        evidence: dict[str, Any] = {
            "command": command,
            "entries": len(durations),
            "max_ms": round(max(durations) / 1000, 1),
            "slowlog-log-slower-than_us": snapshot.setting("slowlog-log-slower-than"),
            "measured": f"SLOWLOG GET (last {len(snapshot.rows('slowlog'))} entries; arguments not read)",
        }
        yield ctx.finding(
            f"{command} ran {len(durations)} time(s) for {ctx.option('min_ms')} ms or more "
            f"(up to {evidence['max_ms']} ms), blocking every other client meanwhile.",
            location=Location(object=command),
            fix=f"Bound the work of each call (smaller keys, ranges, SCAN-family commands).{hint}",
            evidence=evidence,
        )


RULE = Rule(
    name="redis-slow-commands",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"min_ms": 10},
)
