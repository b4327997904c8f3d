"""
## What it does
Finds tables whose planner statistics are stale. They were modified since their last `ANALYZE`
by more rows than autovacuum's analyze threshold
(`autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × reltuples`, per-table storage
parameters first), with at least `min_modified` changed rows.

## Why is this bad?
The planner estimates row counts from the statistics ANALYZE gathered. After many inserts, updates
or deletes those statistics describe another table: estimates go wrong by orders of magnitude and
the planner picks nested loops over millions of rows or ignores a good index. Tables loaded in
bulk and queried right away, with autovacuum off, or never analyzed at all are the usual cases.
pg-extras' `vacuum_stats` shows the same "expect autoanalyze" signal.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"autovacuum": "off", "autovacuum_analyze_threshold": "50",
   "autovacuum_analyze_scale_factor": "0.1"},
 "results": {"vacuum": [{"schema": "public", "table": "orders", "reltuples": -1,
   "live_tuples": 250000, "dead_tuples": 0, "modified_since_analyze": 250000,
   "last_analyze": null, "last_autoanalyze": null, "reloptions": null}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"autovacuum": "on", "autovacuum_analyze_threshold": "50",
   "autovacuum_analyze_scale_factor": "0.1"},
 "results": {"vacuum": [{"schema": "public", "table": "orders", "reltuples": 250000,
   "live_tuples": 250000, "dead_tuples": 0, "modified_since_analyze": 1200,
   "last_autoanalyze": "2024-05-01T10:00:00+00:00", "reloptions": null}]}}
```

## Fix safety
`ANALYZE` reads a sample of the table under a SHARE UPDATE EXCLUSIVE lock: reads and writes go on.
Plans may change afterwards, almost always for the better. Safe.

## References
- https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-STATISTICS
- https://www.postgresql.org/docs/current/sql-analyze.html
- https://github.com/pawurb/ruby-pg-extras
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import autovacuum_threshold, number
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.quote import qualify


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    for row in snapshot.rows("vacuum"):
        modified = int(row.get("modified_since_analyze") or 0)
        if modified < ctx.option("min_modified"):
            continue
        # reltuples is -1 on 14+ for a table never vacuumed or analyzed: use the live count then.
        tuples = number(row.get("reltuples")) or 0.0
        if tuples < 0:
            tuples = float(row.get("live_tuples") or 0)
        threshold = autovacuum_threshold(snapshot, row, "analyze", tuples, 0.1)
        if modified <= threshold:
            continue
        name = qualify(str(row["table"]), str(row["schema"]), Engine.POSTGRES, "public")
        never = not row.get("last_analyze") and not row.get("last_autoanalyze")
        yield ctx.finding(
            f"Table {row['schema']}.{row['table']} has {modified:,} rows changed since "
            f"{'it was never analyzed' if never else 'its last ANALYZE'} (autoanalyze threshold "
            f"{threshold:,.0f}): the planner's statistics are stale.",
            location=Location(object=f"{row['schema']}.{row['table']}"),
            fix="Analyze the table now; make sure autovacuum runs (it also analyzes) and analyze right after "
            "bulk loads.",
            sql=f"ANALYZE {name};",
            applicability=Applicability.SAFE,
            evidence={
                **dict(row),
                "autoanalyze_threshold": round(threshold),
                "autovacuum": snapshot.setting("autovacuum"),
                "source": "pg_stat_user_tables.n_mod_since_analyze vs threshold + scale_factor * reltuples",
            },
        )


RULE = Rule(
    name="table-needs-analyze",
    category=Category.PERFORMANCE,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_modified": 1000},
)
