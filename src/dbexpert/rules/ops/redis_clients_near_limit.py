"""
## What it does
Reports `connected_clients` at `max_used_percent` or more of `maxclients`, and connections the
server refused (`rejected_connections`) because the limit was reached.

## Why is this bad?
At `maxclients` Redis refuses new connections with `ERR max number of clients reached`: the
application fails. Many clients usually mean a missing or leaking connection pool.

## Example
```json
{"engine": "redis", "version": "7.0.15", "settings": {"maxclients": "10000"},
 "facts": {"connected_clients": 9200, "rejected_connections": 31}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15", "settings": {"maxclients": "10000"},
 "facts": {"connected_clients": 240, "rejected_connections": 0}}
```

## Fix safety
`CONFIG SET maxclients` is online, bounded by the process's open-file limit (`ulimit -n`). Pooling
changes the application. Manual.

## References
- https://redis.io/docs/latest/develop/reference/clients/
- https://redis.io/docs/latest/commands/info/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import config_fix, fact, measured, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    limit, clients = setting(snapshot, "maxclients"), fact(snapshot, "connected_clients")
    rejected = int(fact(snapshot, "rejected_connections") or 0)
    percent = 100 * clients / limit if limit and clients is not None else 0.0
    if percent < ctx.option("max_used_percent") and rejected < ctx.option("min_rejected"):
        return
    said = [f"{int(clients or 0)} of maxclients {int(limit or 0)} clients connected ({percent:.0f}%)"]
    if rejected:
        said.append(f"{rejected} connections refused since start")
    yield ctx.finding(
        f"{'; '.join(said)}: new clients are refused at the limit.",
        location=Location(object="maxclients"),
        fix="Pool connections in the application; raise maxclients if the count is legitimate.",
        sql=config_fix("maxclients", str(int((limit or 10000) * 1.5))),
        evidence={
            "connected_clients": clients,
            "maxclients": limit,
            "used_percent": round(percent, 1),
            "rejected_connections": rejected,
            "measured": measured(snapshot),
        },  # fmt: skip
    )


RULE = Rule(
    name="redis-clients-near-limit",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"max_used_percent": 80, "min_rejected": 1},
)
