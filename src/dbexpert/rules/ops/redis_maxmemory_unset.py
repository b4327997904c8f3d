"""
## What it does
Reports a Redis server without a memory limit (`maxmemory 0`).

## Why is this bad?
Without `maxmemory`, Redis grows until the machine runs out of memory: the kernel's OOM killer
ends it (losing everything since the last save) or it swaps and every command slows down. With a
limit, a cache evicts by its `maxmemory-policy` and a store refuses writes with an OOM error the
application can see. RedisInsight and the Redis administration guide recommend setting it,
leaving room for fork copy-on-write during saves (often 60–75% of RAM).

## Example
```json
{"engine": "redis", "version": "7.0.15",
 "settings": {"maxmemory": "0", "maxmemory-policy": "noeviction"},
 "facts": {"used_memory": 104857600, "total_system_memory": 8589934592}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15",
 "settings": {"maxmemory": "4294967296", "maxmemory-policy": "allkeys-lru"},
 "facts": {"used_memory": 104857600, "total_system_memory": 8589934592}}
```

## Fix safety
`CONFIG SET maxmemory` is online. Setting it below the memory used now starts evictions (or OOM
errors with `noeviction`) at once: start above `used_memory`. Manual.

## References
- https://redis.io/docs/latest/develop/reference/eviction/
- https://redis.io/docs/latest/operate/oss_and_stack/management/admin/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import config_fix, fact, measured, mib, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if setting(snapshot, "maxmemory") != 0:
        return
    ram, used = fact(snapshot, "total_system_memory"), fact(snapshot, "used_memory") or 0
    limit = int(ram * ctx.option("percent_of_ram") / 100) if ram else max(int(used * 2), 256 * 1024**2)
    basis = (
        f"{ctx.option('percent_of_ram')}% of the machine's {mib(ram)}" if ram else "twice the memory used now"
    )
    yield ctx.finding(
        f"maxmemory is 0 (no limit) with {mib(used)} used: Redis grows until the OOM killer stops it.",
        location=Location(object="maxmemory"),
        fix=f"Set maxmemory ({basis}; leave room for the fork of BGSAVE/AOF rewrite).",
        sql=config_fix("maxmemory", str(limit)),
        evidence={
            "maxmemory": 0,
            "used_memory": used,
            "total_system_memory": ram,
            "measured": measured(snapshot),
        },
    )


RULE = Rule(
    name="redis-maxmemory-unset",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"percent_of_ram": 70},
)
