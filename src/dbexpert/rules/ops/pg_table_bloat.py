"""
## What it does
Reports tables whose estimated bloat (space beyond what their live rows and fillfactor need) is at
least `min_bloat_bytes` (default 100 MB) and `min_ratio` (default 50 %) of the table. The estimate is
the statistics-based one of ioguix/pgsql-bloat-estimation (also behind pg-extras' `bloat`): it
works from `pg_stats` row widths, is an **estimate**, not a measurement, and is skipped for
tables it cannot judge (no statistics, `name` columns).

## Why is this bad?
Bloat is empty space inside the table's pages after many updates and deletes. Plain VACUUM makes it
reusable but does not give it back: sequential scans still read it, the cache holds half-empty
pages, and backups and replicas carry it. check_postgres' `bloat` action warns on the same
estimate. Confirm with `pgstattuple` before rewriting a large table.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "results": {"table_bloat": [{"schema": "public", "table": "events", "real_bytes": 2147483648,
   "bloat_bytes": 1610612736, "bloat_pct": 75.0, "fillfactor": 100, "is_na": false}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "results": {"table_bloat": [{"schema": "public", "table": "events", "real_bytes": 2147483648,
   "bloat_bytes": 214748364, "bloat_pct": 10.0, "fillfactor": 100, "is_na": false}]}}
```

## Fix safety
`VACUUM FULL` rewrites the table under an ACCESS EXCLUSIVE lock (no reads or writes until it is
done) and needs the table's size again in free disk. `pg_repack` does it online with a short lock
at the end. Manual.

## References
- https://github.com/ioguix/pgsql-bloat-estimation
- https://bucardo.org/check_postgres/check_postgres.pl.html#bloat
- https://www.postgresql.org/docs/current/pgstattuple.html
- https://reorg.github.io/pg_repack/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import bloat_words, bloated
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.quote import qualify


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    for row, bloat, pct in bloated(snapshot, "table_bloat", ctx):
        name = qualify(str(row["table"]), str(row["schema"]), Engine.POSTGRES, "public")
        yield ctx.finding(
            f"Table {row['schema']}.{row['table']} is {bloat_words(row, bloat, pct)}.",
            location=Location(object=f"{row['schema']}.{row['table']}"),
            fix="Confirm with pgstattuple, then rewrite the table online with pg_repack (or VACUUM FULL in a "
            "maintenance window: it locks the table).",
            sql=f"SELECT * FROM pgstattuple('{name}');\n-- online:  pg_repack --table={name} DBNAME\n"
            f"VACUUM (FULL, VERBOSE, ANALYZE) {name};",
            evidence={
                **dict(row),
                "source": "statistics-based estimate (ioguix/pgsql-bloat-estimation) from pg_stats",
            },
        )


RULE = Rule(
    name="table-bloat",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_bloat_bytes": 100 * 1024**2, "min_ratio": 0.5},
)
