"""
## What it does
Reports a Redis server that ran out of memory: keys evicted (`evicted_keys`) or writes rejected
with `OOM command not allowed` (`errorstat_OOM`, Redis 6.2+).

## Why is this bad?
Evictions on a store are lost data, and on a cache they lower the hit ratio; rejected writes are
errors the application sees. Both mean `maxmemory` is too small for the data set, or keys live
too long. Redis' own memory guides and common runbooks alert on both counters.

## Example
```json
{"engine": "redis", "version": "7.0.15",
 "settings": {"maxmemory": "104857600", "maxmemory-policy": "allkeys-lru"},
 "facts": {"evicted_keys": 52000, "oom_rejections": 0, "uptime_in_seconds": 86400}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15",
 "settings": {"maxmemory": "1073741824", "maxmemory-policy": "allkeys-lru"},
 "facts": {"evicted_keys": 0, "oom_rejections": 0, "uptime_in_seconds": 86400}}
```

## Fix safety
Raising `maxmemory` is online; check the machine has the memory (and room for the fork of a
save). Shorter TTLs or smaller values change the application. Manual.

## References
- https://redis.io/docs/latest/develop/reference/eviction/
- https://redis.io/docs/latest/commands/info/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import config_fix, fact, measured, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    evicted, rejected = int(fact(snapshot, "evicted_keys") or 0), int(fact(snapshot, "oom_rejections") or 0)
    if evicted < ctx.option("min_evicted") and rejected < ctx.option("min_rejected"):
        return
    limit = int(setting(snapshot, "maxmemory") or 0)
    seen = [f"{evicted} keys evicted"] * bool(evicted) + [f"{rejected} writes rejected with OOM"] * bool(
        rejected
    )
    yield ctx.finding(
        f"Memory ran out: {' and '.join(seen)} since the server started.",
        location=Location(object="maxmemory"),
        fix="Give Redis more memory (maxmemory), shorten TTLs, or store less per key.",
        sql=config_fix("maxmemory", str(limit * 2)) if limit else None,
        evidence={
            "evicted_keys": evicted,
            "oom_rejections": rejected,
            "maxmemory": limit,
            "maxmemory-policy": snapshot.setting("maxmemory-policy"),
            "measured": measured(snapshot),
        },
    )


RULE = Rule(
    name="redis-memory-full",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"min_evicted": 1, "min_rejected": 1},
)
