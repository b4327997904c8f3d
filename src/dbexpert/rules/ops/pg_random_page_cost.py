"""
## What it does
Reports `random_page_cost` above 2 on solid-state storage, where 1.1 is the usual value. The
storage kind comes from the `storage` option (`"ssd"` or `"hdd"`), else, with the default `"auto"`,
from `/sys/block/*/queue/rotational` when the server runs on the audited machine; when unknown the
rule stays silent.

## Why is this bad?
The default of 4 says a random page read costs four sequential ones: true of spinning disks, not of
SSDs or NVMe, where they cost about the same. With 4 the planner undervalues index scans and picks
sequential scans and hash joins over large tables that an index would answer faster. postgresqltuner
checks this against the disk type, and cloud vendors' tuning guides recommend 1.1 for SSD volumes.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"random_page_cost": "4"},
 "facts": {"storage": "ssd"}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"random_page_cost": "1.1"},
 "facts": {"storage": "ssd"}}
```

## Fix safety
Applies on reload and changes plans: mostly towards index scans, which is the point, but check the
slowest queries afterwards. Per-tablespace values (`ALTER TABLESPACE ... SET (random_page_cost =
...)`) win over the setting. Manual.

## References
- https://www.postgresql.org/docs/current/runtime-config-query.html#GUC-RANDOM-PAGE-COST
- https://github.com/jfcoz/postgresqltuner
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import alter_system, number
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    configured = str(ctx.option("storage"))
    storage = snapshot.facts.get("storage") if configured == "auto" else configured
    cost = number(snapshot.setting("random_page_cost"))
    if storage != "ssd" or cost is None or cost <= ctx.option("max_cost"):
        return
    yield ctx.finding(
        f"random_page_cost = {snapshot.setting('random_page_cost')} on solid-state storage makes the planner "
        "avoid index scans; 1.1 fits SSDs.",
        location=Location(object="random_page_cost"),
        fix="Lower random_page_cost to 1.1 (reload).",
        sql=alter_system("random_page_cost", "1.1"),
        evidence={
            "random_page_cost": snapshot.setting("random_page_cost"),
            "storage": storage,
            "storage_source": "the storage option"
            if configured != "auto"
            else snapshot.facts.get("storage_source", "facts.storage"),
        },
    )


RULE = Rule(
    name="random-page-cost-on-ssd",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"storage": "auto", "max_cost": 2.0},
)
