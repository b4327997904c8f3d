"""
## What it does
Reports databases and tables approaching transaction-id wraparound. An age (`age(datfrozenxid)`,
`age(relfrozenxid)`) at `warn_ratio` (default 50 %) of the 2^31 ids PostgreSQL can tell apart is a
warning, at `error_ratio` (80 %) an error. The evidence says whether the age already passed
`autovacuum_freeze_max_age`, where anti-wraparound autovacuum should be running.

## Why is this bad?
Transaction ids are 32-bit and compared modulo 2^31. VACUUM must freeze old rows before their ids
come around again; if it cannot (autovacuum off, a transaction or replication slot holding the
horizon back, a table too big to finish), PostgreSQL stops assigning transaction ids near the limit
and the database refuses writes until a VACUUM finishes, possibly hours of downtime.
check_postgres' `txn_wraparound` and PgHero's transaction-id danger check watch the same ages.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"autovacuum_freeze_max_age": "200000000"},
 "results": {"wraparound_databases": [{"database": "shop", "xid_age": 1500000000}],
   "wraparound_tables": [{"schema": "public", "table": "events", "xid_age": 1500000000,
     "table_bytes": 85899345920}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"autovacuum_freeze_max_age": "200000000"},
 "results": {"wraparound_databases": [{"database": "shop", "xid_age": 150000000}],
   "wraparound_tables": [{"schema": "public", "table": "events", "xid_age": 150000000,
     "table_bytes": 85899345920}]}}
```

## Fix safety
`VACUUM (FREEZE)` takes a SHARE UPDATE EXCLUSIVE lock (reads and writes continue) but reads the
whole table: schedule it, and first end whatever holds the xmin horizon back (long transactions,
prepared transactions, stale replication slots), or it cannot advance. Manual.

## References
- https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-WRAPAROUND
- https://bucardo.org/check_postgres/check_postgres.pl.html#txn_wraparound
- https://github.com/ankane/pghero
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location, Severity
from dbexpert.model.health import HealthSnapshot, Row
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import number
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.quote import qualify

XID_LIMIT = 2**31


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    freeze_max = number(snapshot.setting("autovacuum_freeze_max_age"))
    horizon = (
        "SELECT pid, state, xact_start, backend_xmin FROM pg_stat_activity WHERE backend_xmin IS NOT NULL "
        "ORDER BY age(backend_xmin) DESC LIMIT 5;\n"
        "SELECT gid, prepared FROM pg_prepared_xacts;\n"
        "SELECT slot_name, xmin, catalog_xmin FROM pg_replication_slots;"
    )
    for row in snapshot.rows("wraparound_databases"):
        severity = _severity(row, ctx)
        if severity is None:
            continue
        age = int(row["xid_age"])
        yield ctx.finding(
            f"Database {row['database']} is {age / XID_LIMIT:.0%} of the way to transaction-id wraparound "
            f"(age(datfrozenxid) = {age:,}).",
            location=Location(object=str(row["database"])),
            fix="Find what holds the xmin horizon back, then freeze the oldest tables of that database "
            "(vacuumdb --freeze --jobs 4 --dbname NAME).",
            sql=f"-- in database {row['database']}:\n{horizon}\nVACUUM (FREEZE, VERBOSE);",
            severity=severity,
            evidence=_evidence(row, freeze_max, "pg_database.datfrozenxid"),
        )
    for row in snapshot.rows("wraparound_tables"):
        severity = _severity(row, ctx)
        if severity is None:
            continue
        age = int(row["xid_age"])
        name = qualify(str(row["table"]), str(row["schema"]), Engine.POSTGRES, "public")
        yield ctx.finding(
            f"Table {row['schema']}.{row['table']} is {age / XID_LIMIT:.0%} of the way to transaction-id "
            f"wraparound (age(relfrozenxid) = {age:,}).",
            location=Location(object=f"{row['schema']}.{row['table']}"),
            fix="End what holds the xmin horizon back, then freeze the table.",
            sql=f"{horizon}\nVACUUM (FREEZE, VERBOSE) {name};",
            severity=severity,
            evidence=_evidence(row, freeze_max, "pg_class.relfrozenxid"),
        )


def _severity(row: Row, ctx: RuleContext) -> Severity | None:
    age = number(row.get("xid_age"))
    if age is None:
        return None
    if age >= ctx.option("error_ratio") * XID_LIMIT:
        return Severity.ERROR
    if age >= ctx.option("warn_ratio") * XID_LIMIT:
        return Severity.WARNING
    return None


def _evidence(row: Row, freeze_max: float | None, column: str) -> dict[str, object]:
    data = dict(row)
    age = int(data["xid_age"])
    return {
        **data,
        "ratio_of_2_31": round(age / XID_LIMIT, 3),
        "autovacuum_freeze_max_age": int(freeze_max) if freeze_max else None,
        "past_autovacuum_freeze_max_age": bool(freeze_max and age > freeze_max),
        "source": f"age({column})",
    }


RULE = Rule(
    name="transaction-id-wraparound",
    category=Category.SAFETY,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"warn_ratio": 0.5, "error_ratio": 0.8},
)
