"""
## What it does
Reports a Redis server with no persistence at all: no RDB save points (`save ""`) and no
append-only file (`appendonly no`).

## Why is this bad?
A restart, a crash or an OOM kill empties the server, and there is no file to back up: only a
manual `BGSAVE` (or a replica) keeps a copy. For a pure cache that can be refilled this may be a
choice: then ignore the rule for that server.

## Example
```json
{"engine": "redis", "version": "7.0.15", "settings": {"save": "", "appendonly": "no"}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15", "settings": {"save": "3600 1 300 100 60 10000", "appendonly": "yes"}}
```

## Fix safety
`CONFIG SET save` and `CONFIG SET appendonly yes` are online; turning the AOF on starts a rewrite
that forks the process (memory for copy-on-write). Manual.

## References
- https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import config_fix
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    save, aof = snapshot.setting("save"), snapshot.setting("appendonly")
    if save is None or aof is None or save.strip() or aof == "yes":
        return
    yield ctx.finding(
        "Persistence is off (no save points, no append-only file): a restart empties the server, "
        "and there is no file to back up.",
        location=Location(object="save"),
        fix="Turn on the append-only file (every second) and RDB snapshots to copy off the machine.",
        sql=f"{config_fix('appendonly', 'yes')}\n{config_fix('save', '3600 1 300 100 60 10000')}",
        evidence={"save": save, "appendonly": aof, "measured": "CONFIG GET"},
    )


RULE = Rule(
    name="backup-redis-persistence-off",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
)
