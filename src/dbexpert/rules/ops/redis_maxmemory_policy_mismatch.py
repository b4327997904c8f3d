"""
## What it does
Reports a `maxmemory-policy` that does not fit how Redis is used: `noeviction` on a cache, or an
`allkeys-*` policy on a store whose keys must not disappear.

The rule assumes a **cache** unless told otherwise; with the option `usage = "auto"` it assumes a
**store** when the append-only file is on (someone who logs every write wants to keep the data).
Say it in the configuration:

```toml
[tool.dbexpert.thresholds.redis-maxmemory-policy-mismatch]
usage = "store"   # "cache" (default), "store" or "auto"
```

## Why is this bad?
A cache with `noeviction` answers every write with `OOM command not allowed` once `maxmemory` is
reached, instead of dropping the least useful keys. A store with `allkeys-lru` (or `-lfu`,
`-random`) silently deletes data when memory runs out.

## Example
```json
{"engine": "redis", "version": "7.0.15",
 "settings": {"maxmemory": "1073741824", "maxmemory-policy": "noeviction", "appendonly": "no"}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15",
 "settings": {"maxmemory": "1073741824", "maxmemory-policy": "allkeys-lru", "appendonly": "no"}}
```

## Fix safety
`CONFIG SET maxmemory-policy` is online. Choosing an eviction policy for a store loses data:
confirm the usage first. Manual.

## References
- https://redis.io/docs/latest/develop/reference/eviction/
- https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/memory-optimization/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import config_fix
from dbexpert.rules.registry import Rule, Target


def usage(snapshot: HealthSnapshot, option: str) -> tuple[str, str]:
    """The assumed usage and why."""
    if option in ("cache", "store"):
        return option, f"usage = {option!r} (configured)"
    if (snapshot.setting("appendonly") or "no") == "yes":
        return "store", "usage = 'auto': appendonly is yes, so a store is assumed"
    return "cache", "usage = 'auto': appendonly is no, so a cache is assumed"


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    policy = snapshot.setting("maxmemory-policy")
    if policy is None:
        return
    assumed, why = usage(snapshot, str(ctx.option("usage")))
    if assumed == "cache" and policy == "noeviction":
        message = "maxmemory-policy is noeviction on a cache: writes fail with OOM when memory is full."
        better, fix = "allkeys-lru", "Let the cache evict its least recently used keys."
    elif assumed == "store" and policy.startswith("allkeys-"):
        message = f"maxmemory-policy is {policy} on a store: Redis deletes data when memory is full."
        better, fix = "noeviction", "Refuse writes instead of deleting data, and size maxmemory to hold it."
    else:
        return
    yield ctx.finding(
        message,
        location=Location(object="maxmemory-policy"),
        fix=f"{fix} (Assumed: {why}; set the rule's usage option if that is wrong.)",
        sql=config_fix("maxmemory-policy", better),
        evidence={"maxmemory-policy": policy, "assumed_usage": assumed, "why": why, "measured": "CONFIG GET"},
    )


RULE = Rule(
    name="redis-maxmemory-policy-mismatch",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"usage": "cache"},
)
