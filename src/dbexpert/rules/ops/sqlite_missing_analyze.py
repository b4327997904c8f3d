"""
## What it does
Reports large SQLite tables without optimizer statistics.

Lists the SQLite tables with at least `min_rows` rows (estimated by `max(rowid)`) that have no
row in `sqlite_stat1`, the statistics `ANALYZE` writes: the whole file when ANALYZE never ran,
or tables created or filled after the last one.

## Why is this bad?
Without statistics the query planner assumes every table has about a million rows and every
index is equally selective, so it can pick a poor index or join order. `PRAGMA optimize`, run
before closing long-lived connections (or periodically), analyzes the tables that need it and is
cheap since SQLite 3.46 limits how much it reads.

## Example
```json
{"engine": "sqlite", "version": "3.45.1",
 "results": {"tables": [{"table": "page_views", "without_rowid": false, "rows_estimate": 250000, "stat1_rows": null}]},
 "facts": {"has_stat1": false}}
```

## Use instead
```json
{"engine": "sqlite", "version": "3.45.1",
 "results": {"tables": [{"table": "page_views", "without_rowid": false, "rows_estimate": 250000, "stat1_rows": 249800}]},
 "facts": {"has_stat1": true}}
```

## Fix safety
`ANALYZE` reads every index (and takes a write lock to store the results): on a large file use
`PRAGMA analysis_limit` first, or `PRAGMA optimize`. New statistics can change query plans. Safe.

## References
- https://www.sqlite.org/lang_analyze.html
- https://www.sqlite.org/pragma.html#pragma_optimize
- https://www.sqlite.org/queryplanner-ng.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    never = not snapshot.facts.get("has_stat1", True)
    for row in snapshot.rows("tables"):
        estimate = row.get("rows_estimate")
        if row.get("stat1_rows") is not None or estimate is None or estimate < ctx.option("min_rows"):
            continue
        name = str(row["table"])
        quoted = '"' + name.replace('"', '""') + '"'
        why = (
            "ANALYZE has never run on this file"
            if never
            else "it was created or filled after the last ANALYZE"
        )
        yield ctx.finding(
            f"Table {name} has about {estimate:,} rows and no statistics ({why}): the planner guesses.",
            location=Location(path=snapshot.source or None, object=name),
            fix="Analyze it (PRAGMA optimize on closing long-lived connections keeps statistics current).",
            sql=f"ANALYZE {quoted};\n-- from then on, before closing long-lived connections:\nPRAGMA optimize;",
            applicability=Applicability.SAFE,
            evidence={
                "rows_estimate": estimate,
                "stat1_rows": None,
                "sqlite_stat1_exists": not never,
                "measured": "max(rowid) per table; sqlite_stat1",
            },
        )


RULE = Rule(
    name="sqlite-missing-analyze",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE}),
    options={"min_rows": 1000},
)
