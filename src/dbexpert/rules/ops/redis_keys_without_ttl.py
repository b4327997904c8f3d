"""
## What it does
Reports databases where most keys have no TTL while `maxmemory-policy` is `volatile-*` (evict only
keys with an expiry). It counts exactly, from `INFO keyspace` (`keys` and `expires`).

## Why is this bad?
A `volatile-*` policy can evict only keys that have a TTL. When few keys have one, Redis finds
nothing to evict and answers writes with OOM errors, as with `noeviction`.

## Example
```json
{"engine": "redis", "version": "7.0.15", "settings": {"maxmemory-policy": "volatile-lru"},
 "results": {"keyspace": [{"db": 0, "keys": 10000, "expires": 12}]}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15", "settings": {"maxmemory-policy": "volatile-lru"},
 "results": {"keyspace": [{"db": 0, "keys": 10000, "expires": 9800}]}}
```

## Fix safety
Setting TTLs changes the application; `allkeys-lru` evicts any key, which is only right for a
cache. Manual.

## References
- https://redis.io/docs/latest/develop/reference/eviction/
- https://redis.io/docs/latest/commands/info/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    policy = snapshot.setting("maxmemory-policy") or ""
    if not policy.startswith("volatile-"):
        return
    for row in snapshot.rows("keyspace"):
        keys, expires = int(row["keys"]), int(row["expires"])
        if keys < ctx.option("min_keys"):
            continue
        percent = 100 * (keys - expires) / keys
        if percent < ctx.option("max_percent_without_ttl"):
            continue
        yield ctx.finding(
            f"db{row['db']}: {keys - expires} of {keys} keys ({percent:.0f}%) have no TTL, and {policy} "
            "evicts only keys with one: when memory is full, writes fail.",
            location=Location(object=f"db{row['db']}"),
            fix="Give cache keys a TTL (SET ... EX, EXPIRE), or use an allkeys-* policy if every key is cache.",
            evidence={
                "db": row["db"],
                "keys": keys,
                "expires": expires,
                "maxmemory-policy": policy,
                "measured": "INFO keyspace (exact counts)",
            },  # fmt: skip
        )


RULE = Rule(
    name="redis-keys-without-ttl",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"max_percent_without_ttl": 50, "min_keys": 100},
)
