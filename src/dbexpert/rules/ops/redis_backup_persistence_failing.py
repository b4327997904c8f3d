"""
## What it does
Reports failing persistence: a failed background save, or an append-only file that cannot be written.

That is `rdb_last_bgsave_status:err`, `aof_last_write_status:err` or `aof_last_bgrewrite_status:err`
in `INFO persistence`.

## Why is this bad?
A failed BGSAVE leaves the last good snapshot behind, growing older with every write; with
`stop-writes-on-bgsave-error yes` (the default) Redis then refuses writes altogether. A failing
AOF write loses the writes it could not log. The usual causes are a full disk, a `dir` that is not
writable, or a fork that fails for lack of memory (`vm.overcommit_memory`).

## Example
```json
{"engine": "redis", "version": "7.0.15", "settings": {"save": "3600 1", "dir": "/var/lib/redis"},
 "facts": {"rdb_last_bgsave_status": "err", "aof_last_write_status": "ok", "aof_last_bgrewrite_status": "ok"}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15", "settings": {"save": "3600 1", "dir": "/var/lib/redis"},
 "facts": {"rdb_last_bgsave_status": "ok", "aof_last_write_status": "ok", "aof_last_bgrewrite_status": "ok"}}
```

## Fix safety
Read the server log for the error; fix the disk or permissions, then `BGSAVE` and check
`INFO persistence`. Manual.

## References
- https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
- https://redis.io/docs/latest/commands/info/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target

CHECKS = {
    "rdb_last_bgsave_status": "the last background save (BGSAVE) failed",
    "aof_last_write_status": "the append-only file could not be written",
    "aof_last_bgrewrite_status": "the last AOF rewrite failed",
}


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    failed = [name for name in CHECKS if snapshot.facts.get(name) == "err"]
    if not failed:
        return
    yield ctx.finding(
        f"Persistence is failing: {'; '.join(CHECKS[name] for name in failed)}.",
        location=Location(object=failed[0]),
        fix=f"Read the server log; check free space and permissions of dir ({snapshot.setting('dir')}) and "
        "vm.overcommit_memory = 1; then BGSAVE (or BGREWRITEAOF) and check INFO persistence.",
        sql="BGSAVE\nINFO persistence",
        evidence={
            **{name: snapshot.facts.get(name) for name in CHECKS},
            "dir": snapshot.setting("dir"),
            "rdb_last_save_time": snapshot.facts.get("rdb_last_save_time"),
            "measured": "INFO persistence",
        },  # fmt: skip
    )


RULE = Rule(
    name="backup-redis-persistence-failing",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
)
