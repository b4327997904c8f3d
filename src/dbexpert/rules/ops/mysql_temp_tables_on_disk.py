"""
## What it does
Reports a high share of implicit temporary tables written to disk.

Compares implicit temporary tables written to disk (`Created_tmp_disk_tables`) with all implicit
temporary tables (`Created_tmp_tables`), and reports `max_disk_percent` or more once at least
`min_tmp_tables` were created.

## Why is this bad?
GROUP BY, DISTINCT, UNION and derived tables build internal temporary tables; those larger than
`min(tmp_table_size, max_heap_table_size)`, or with TEXT/BLOB columns on older versions, go to
disk and are much slower. MySQLTuner flags more than 25% on disk.

## Example
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"tmp_table_size": "16777216", "max_heap_table_size": "16777216"},
 "facts": {"Created_tmp_disk_tables": 4000, "Created_tmp_tables": 10000, "Uptime": 86400}}
```

## Use instead
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"tmp_table_size": "67108864", "max_heap_table_size": "67108864"},
 "facts": {"Created_tmp_disk_tables": 300, "Created_tmp_tables": 10000, "Uptime": 86400}}
```

## Fix safety
Both sizes are per temporary table, per connection: raising them lets each of many connections
use that much memory. Rewriting or indexing the queries that sort or group large sets avoids the
temporary tables altogether. Manual.

## References
- https://github.com/major/MySQLTuner-perl (Temporary tables created on disk)
- https://dev.mysql.com/doc/refman/8.0/en/internal-temporary-tables.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import MIB, fact, measured, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    disk, total = fact(snapshot, "Created_tmp_disk_tables"), fact(snapshot, "Created_tmp_tables")
    if disk is None or not total or total < ctx.option("min_tmp_tables"):
        return
    percent = 100 * disk / total
    if percent < ctx.option("max_disk_percent"):
        return
    sizes = [s for s in (setting(snapshot, "tmp_table_size"), setting(snapshot, "max_heap_table_size")) if s]
    limit = min(sizes) if sizes else 16 * MIB
    target = int(max(limit * 4, 64 * MIB))
    yield ctx.finding(
        f"{percent:.0f}% of implicit temporary tables went to disk ({int(disk):,} of {int(total):,}).",
        location=Location(object="tmp_table_size"),
        fix="Find the GROUP BY / DISTINCT / UNION queries that build large temporary tables and index or "
        "rewrite them; raise the in-memory limit (both variables) only with memory to spare.",
        sql=f"SET GLOBAL tmp_table_size = {target};\nSET GLOBAL max_heap_table_size = {target};",
        evidence={
            "Created_tmp_disk_tables": int(disk),
            "Created_tmp_tables": int(total),
            "disk_percent": round(percent, 1),
            "tmp_table_size": snapshot.setting("tmp_table_size"),
            "max_heap_table_size": snapshot.setting("max_heap_table_size"),
            "measured": measured(snapshot),
        },
    )


RULE = Rule(
    name="mysql-temp-tables-on-disk",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"max_disk_percent": 25, "min_tmp_tables": 1000},
)
