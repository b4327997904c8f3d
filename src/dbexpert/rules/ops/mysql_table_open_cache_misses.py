"""
## What it does
Reports a table cache too small for the tables the workload opens.

Computes MySQLTuner's table cache hit rate, `Open_tables / Opened_tables`, and reports it below
`min_hit_percent` once at least `min_opened_tables` tables were opened; the cache's own
`Table_open_cache_hits` and `Table_open_cache_misses` are cited when the server has them.

## Why is this bad?
Every table open that misses the cache re-reads the table's definition and opens its files, under
a lock on busy servers. A low rate with `Open_tables` at `table_open_cache` means the cache is too
small for the number of tables the workload touches.

## Example
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"table_open_cache": "400"},
 "facts": {"Open_tables": 400, "Opened_tables": 250000, "Table_open_cache_hits": 900000,
           "Table_open_cache_misses": 250000, "Uptime": 86400}}
```

## Use instead
```json
{"engine": "mysql", "version": "8.0.36",
 "settings": {"table_open_cache": "4000"},
 "facts": {"Open_tables": 1800, "Opened_tables": 2100, "Table_open_cache_hits": 1150000,
           "Table_open_cache_misses": 2100, "Uptime": 86400}}
```

## Fix safety
`table_open_cache` is dynamic. Each cached table holds file descriptors: keep it under
`open_files_limit`. Safe within that limit; manual above.

## References
- https://github.com/major/MySQLTuner-perl (Table cache hit rate)
- https://dev.mysql.com/doc/refman/8.0/en/table-cache.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._mysql import fact, measured, setting
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    open_now, opened = fact(snapshot, "Open_tables"), fact(snapshot, "Opened_tables")
    if open_now is None or not opened or opened < ctx.option("min_opened_tables"):
        return
    percent = 100 * open_now / opened
    if percent >= ctx.option("min_hit_percent"):
        return
    cache = setting(snapshot, "table_open_cache")
    target = int(max((cache or 2000) * 2, open_now * 2))
    yield ctx.finding(
        f"Table cache hit rate is {percent:.1f}% ({int(open_now):,} open, {int(opened):,} opened since "
        f"start): tables are reopened instead of served from table_open_cache.",
        location=Location(object="table_open_cache"),
        fix=f"Raise table_open_cache to about {target} (keep it under open_files_limit).",
        sql=f"SET GLOBAL table_open_cache = {target};\n-- and in my.cnf [mysqld]: table_open_cache = {target}",
        evidence={
            "Open_tables": int(open_now),
            "Opened_tables": int(opened),
            "hit_percent": round(percent, 1),
            "table_open_cache": snapshot.setting("table_open_cache"),
            "Table_open_cache_hits": snapshot.facts.get("Table_open_cache_hits"),
            "Table_open_cache_misses": snapshot.facts.get("Table_open_cache_misses"),
            "measured": measured(snapshot),
        },
    )


RULE = Rule(
    name="mysql-table-open-cache-misses",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"min_hit_percent": 20, "min_opened_tables": 1000},
)
