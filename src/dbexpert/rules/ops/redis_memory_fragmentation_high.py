"""
## What it does
Reports a high memory fragmentation ratio (`mem_fragmentation_ratio`, RSS over `used_memory`) on a
server using at least `min_used_mb`.

## Why is this bad?
Above about 1.5 the process holds much more memory than its data needs: the machine runs out
sooner and `maxmemory` no longer bounds the real footprint. Small instances always show a high
ratio (the allocator's base RSS), hence the size floor. Active defragmentation (jemalloc builds)
returns the memory online; a restart does too.

## Example
```json
{"engine": "redis", "version": "7.0.15",
 "facts": {"mem_fragmentation_ratio": 2.1, "used_memory": 2147483648, "used_memory_rss": 4509715660}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15",
 "facts": {"mem_fragmentation_ratio": 1.1, "used_memory": 2147483648, "used_memory_rss": 2362232012}}
```

## Fix safety
`activedefrag` uses CPU while it runs (bounded by `active-defrag-cycle-max`). Manual.

## References
- https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/memory-optimization/
- https://redis.io/docs/latest/commands/info/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import config_fix, fact, measured, mib
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    ratio, used = fact(snapshot, "mem_fragmentation_ratio"), fact(snapshot, "used_memory")
    if ratio is None or used is None or used < ctx.option("min_used_mb") * 1024**2:
        return
    if ratio < ctx.option("max_ratio"):
        return
    yield ctx.finding(
        f"Memory fragmentation ratio {ratio:.2f}: the process holds {mib(used * ratio)} for {mib(used)} of data.",
        location=Location(object="mem_fragmentation_ratio"),
        fix="Turn on active defragmentation (jemalloc builds), or restart a replica-backed node.",
        sql=config_fix("activedefrag", "yes"),
        evidence={
            "mem_fragmentation_ratio": ratio,
            "used_memory": int(used),
            "used_memory_rss": snapshot.facts.get("used_memory_rss"),
            "measured": measured(snapshot),
        },  # fmt: skip
    )


RULE = Rule(
    name="redis-memory-fragmentation-high",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"max_ratio": 1.5, "min_used_mb": 100},
)
