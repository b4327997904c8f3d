"""
## What it does
Reports clients blocked in a blocking command (`BLPOP`, `BRPOP`, `BLMOVE`, `XREAD BLOCK`, `WAIT`...)
when there are `min_blocked` or more (`blocked_clients` in INFO).

## Why is this bad?
A few blocked clients are normal for a queue's workers. Many of them, or blocked clients on a
server that is not a queue, mean consumers wait for producers that stopped, or a `WAIT` for
replicas that do not acknowledge. Each holds a connection.

## Example
```json
{"engine": "redis", "version": "7.0.15", "facts": {"blocked_clients": 120, "connected_clients": 300}}
```

## Use instead
```json
{"engine": "redis", "version": "7.0.15", "facts": {"blocked_clients": 0, "connected_clients": 300}}
```

## Fix safety
Nothing to change on the server: find the producers (or replicas) the clients wait for; raise
`min_blocked` to the number of queue workers you run. Manual.

## References
- https://redis.io/docs/latest/commands/info/
- https://redis.io/docs/latest/commands/blpop/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._redis import fact, measured
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    blocked = int(fact(snapshot, "blocked_clients") or 0)
    if blocked < ctx.option("min_blocked"):
        return
    yield ctx.finding(
        f"{blocked} clients are blocked in a blocking command (BLPOP, XREAD BLOCK, WAIT...).",
        location=Location(object="blocked_clients"),
        fix="Check that producers (or acknowledging replicas) are alive; if these are queue workers, "
        "set min_blocked to their number.",
        evidence={
            "blocked_clients": blocked,
            "connected_clients": snapshot.facts.get("connected_clients"),
            "measured": measured(snapshot),
        },  # fmt: skip
    )


RULE = Rule(
    name="redis-blocked-clients",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.REDIS}),
    options={"min_blocked": 1},
)
