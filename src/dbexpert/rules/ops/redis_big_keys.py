"""
## What it does
Reports keys of `min_mb` or more among a sample of the keyspace.

Like `redis-cli --bigkeys` / `--memkeys`: keys listed with SCAN (COUNT, never KEYS), sized with MEMORY USAGE, at most the
sample budget of the audit (2000 keys). The evidence says how many keys were sampled of how many:
a big key outside the sample is not seen.

## Why is this bad?
A big key is read, written, expired, migrated and deleted as one unit: `DEL` of a 100 MB hash
blocks the server, replication sends it whole, a cluster cannot spread it over shards, and one
`HGETALL` moves it over the network. RedisInsight recommends splitting big keys.

## Example
```json
{"engine": "redis", "version": "7.0.15", "facts": {"sampled_keys": 2000, "sample_budget": 2000},
 "results": {"keyspace": [{"db": 0, "keys": 90000, "expires": 0}],
             "big_keys": [{"db": 0, "key": "feed:all", "type": "list", "bytes": 52428800}]}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15", "facts": {"sampled_keys": 2000, "sample_budget": 2000},
 "results": {"keyspace": [{"db": 0, "keys": 90000, "expires": 0}],
             "big_keys": [{"db": 0, "key": "feed:2024-05-01", "type": "list", "bytes": 262144}]}}
```

## Fix safety
Splitting a key changes the application; delete big keys with `UNLINK` (freed in the background),
not `DEL`. Manual.

## References
- https://redis.io/docs/latest/develop/tools/cli/#scanning-for-big-keys
- https://redis.io/docs/latest/commands/memory-usage/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import mib
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    floor = ctx.option("min_mb") * 1024**2
    total = sum(int(row["keys"]) for row in snapshot.rows("keyspace"))
    sampled = snapshot.facts.get("sampled_keys")
    for row in snapshot.rows("big_keys"):
        size = int(row["bytes"])
        if size < floor:
            continue
        yield ctx.finding(
            f"Key {row['key']!r} ({row['type']}, db {row['db']}) takes {mib(size)}.",
            location=Location(object=f"db{row['db']}:{row['key']}"),
            fix="Split it into smaller keys (by time, id range or hash slot); remove it with UNLINK, not DEL.",
            evidence={
                "db": row["db"],
                "key": row["key"],
                "type": row["type"],
                "bytes": size,
                "sampled_keys": sampled,
                "keys_in_keyspace": total,
                "measured": f"sampled: SCAN + MEMORY USAGE of {sampled} of {total} keys",
            },  # fmt: skip
        )


RULE = Rule(
    name="redis-big-keys",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"min_mb": 5},
)
