"""
## What it does
Reports an append-only file written with `appendfsync no`: Redis never calls fsync and leaves it to
the operating system.

## Why is this bad?
The kernel flushes when it likes (about every 30 s on Linux): a power loss or kernel crash loses
that much of the writes the application was told succeeded. `everysec` bounds the loss to about
one second at little cost; `always` loses nothing and costs a disk flush per write.

## Example
```json
{"engine": "redis", "version": "7.0.15", "settings": {"appendonly": "yes", "appendfsync": "no"}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15", "settings": {"appendonly": "yes", "appendfsync": "everysec"}}
```

## Fix safety
`CONFIG SET appendfsync everysec` is online. Safe.

## References
- https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/#how-durable-is-the-append-only-file
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import config_fix
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    if snapshot.setting("appendonly") != "yes" or snapshot.setting("appendfsync") != "no":
        return
    yield ctx.finding(
        "appendfsync is no: a power loss or kernel crash loses up to ~30 s of acknowledged writes.",
        location=Location(object="appendfsync"),
        fix="fsync the append-only file every second.",
        sql=config_fix("appendfsync", "everysec"),
        evidence={"appendonly": "yes", "appendfsync": "no", "measured": "CONFIG GET"},
    )


RULE = Rule(
    name="backup-redis-appendfsync-no",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
)
