"""
## What it does
Reports `used_memory` close to `maxmemory` (at `max_used_percent` or more).

## Why is this bad?
At the limit a cache starts evicting and a store (`noeviction`) refuses writes. Alerting before
the limit leaves time to add memory or clean up. RedisInsight and common runbooks warn at 80–90%.

## Example
```json
{"engine": "redis", "version": "7.0.15",
 "settings": {"maxmemory": "1073741824"}, "facts": {"used_memory": 1020054732}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15",
 "settings": {"maxmemory": "2147483648"}, "facts": {"used_memory": 1020054732}}
```

## Fix safety
`CONFIG SET maxmemory` is online; make sure the machine has the memory. Manual.

## References
- https://redis.io/docs/latest/develop/reference/eviction/
- https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/memory-optimization/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import config_fix, fact, measured, mib, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    limit, used = setting(snapshot, "maxmemory"), fact(snapshot, "used_memory")
    if not limit or used is None:
        return
    percent = 100 * used / limit
    if percent < ctx.option("max_used_percent"):
        return
    yield ctx.finding(
        f"Redis uses {mib(used)} of maxmemory {mib(limit)} ({percent:.0f}%).",
        location=Location(object="maxmemory"),
        fix="Raise maxmemory (if the machine has the memory) or reduce the data set.",
        sql=config_fix("maxmemory", str(int(limit * 1.5))),
        evidence={
            "used_memory": int(used),
            "maxmemory": int(limit),
            "used_percent": round(percent, 1),
            "measured": measured(snapshot),
        },  # fmt: skip
    )


RULE = Rule(
    name="redis-memory-near-limit",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"max_used_percent": 90},
)
