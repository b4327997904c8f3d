"""
## What it does
Finds tables with more dead tuples than autovacuum should have let accumulate. That point is
`autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor × reltuples` (per-table storage
parameters win over the server settings), with at least `min_dead_tuples` dead rows.

## Why is this bad?
Dead tuples are old row versions left by `UPDATE` and `DELETE`. Until VACUUM marks their space
reusable, every scan reads them, indexes keep pointing at them and the table grows. A table past its
autovacuum threshold means autovacuum is off (for the server or the table), cannot keep up, or is
held back by an old snapshot. pg-extras' `vacuum_stats` computes the same threshold; PgHero and
postgresqltuner report tables with many dead rows.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"autovacuum": "on", "autovacuum_vacuum_threshold": "50",
   "autovacuum_vacuum_scale_factor": "0.2"},
 "results": {"vacuum": [{"schema": "public", "table": "events", "reltuples": 100000,
   "live_tuples": 100000, "dead_tuples": 60000, "modified_since_analyze": 0,
   "last_vacuum": null, "last_autovacuum": null, "reloptions": ["autovacuum_enabled=false"]}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"autovacuum": "on", "autovacuum_vacuum_threshold": "50",
   "autovacuum_vacuum_scale_factor": "0.2"},
 "results": {"vacuum": [{"schema": "public", "table": "events", "reltuples": 100000,
   "live_tuples": 100000, "dead_tuples": 3000, "modified_since_analyze": 0,
   "last_autovacuum": "2024-05-01T10:00:00+00:00", "reloptions": null}]}}
```

## Fix safety
A plain `VACUUM` takes a SHARE UPDATE EXCLUSIVE lock: reads and writes continue, but it competes
for I/O. It does not shrink the file (that is `VACUUM FULL` or pg_repack). Safe to run; re-enabling
autovacuum on the table is the lasting fix.

## References
- https://www.postgresql.org/docs/current/routine-vacuuming.html#AUTOVACUUM
- https://www.postgresql.org/docs/current/runtime-config-autovacuum.html
- https://github.com/pawurb/ruby-pg-extras
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import autovacuum_threshold, number, reloption
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.quote import qualify


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    server_on = snapshot.setting("autovacuum") != "off"
    for row in snapshot.rows("vacuum"):
        dead = int(row.get("dead_tuples") or 0)
        if dead < ctx.option("min_dead_tuples"):
            continue
        tuples = max(number(row.get("reltuples")) or 0.0, 0.0)
        threshold = autovacuum_threshold(snapshot, row, "vacuum", tuples, 0.2)
        if dead <= threshold:
            continue
        table_off = reloption(row.get("reloptions"), "autovacuum_enabled") in ("false", "off", "0")
        name = qualify(str(row["table"]), str(row["schema"]), Engine.POSTGRES, "public")
        causes = [
            *(["autovacuum is off for the server"] if not server_on else []),
            *(["autovacuum is disabled on this table"] if table_off else []),
        ]
        cause = " and ".join(causes) or "autovacuum has not caught up"
        statements = [f"VACUUM (ANALYZE, VERBOSE) {name};"]
        if table_off:
            statements.append(f"ALTER TABLE {name} RESET (autovacuum_enabled);")
        yield ctx.finding(
            f"Table {row['schema']}.{row['table']} has {dead:,} dead tuples, past its autovacuum threshold of "
            f"{threshold:,.0f} ({cause}).",
            location=Location(object=f"{row['schema']}.{row['table']}"),
            fix="Vacuum the table now and let autovacuum handle it from here (re-enable it, or lower "
            "the table's autovacuum_vacuum_scale_factor if it cannot keep up).",
            sql="\n".join(statements),
            evidence={
                **dict(row),
                "autovacuum_threshold": round(threshold),
                "autovacuum": snapshot.setting("autovacuum"),
                "source": "pg_stat_user_tables.n_dead_tup vs threshold + scale_factor * pg_class.reltuples",
            },
        )


RULE = Rule(
    name="table-needs-vacuum",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_dead_tuples": 1000},
)
