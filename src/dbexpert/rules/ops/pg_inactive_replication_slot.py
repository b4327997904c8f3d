"""
## What it does
Reports replication slots that no client is using (`active = false` in `pg_replication_slots`)
and how much WAL each one keeps on the primary (`pg_wal_lsn_diff(pg_current_wal_lsn(),
restart_lsn)`). Slots retaining at least `min_retained_bytes` (default: any) are reported; those
retaining `error_bytes` (default 10 GB) or more are errors.

## Why is this bad?
A slot makes the primary keep every WAL segment its consumer has not confirmed, and (for logical
slots) keeps old catalog rows from being vacuumed. A replica or a CDC tool that went away leaves
its slot behind, and WAL grows until the disk fills and the primary stops, unless
`max_slot_wal_keep_size` (13+) caps it, in which case the slot is invalidated (`wal_status =
lost`). PgHero flags inactive slots; check_postgres' `replication_slots` measures their WAL.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"max_slot_wal_keep_size": "-1"},
 "results": {"replication_slots": [{"slot_name": "debezium", "slot_type": "logical",
   "plugin": "pgoutput", "database": "shop", "active": false, "active_pid": null,
   "retained_bytes": 53687091200, "wal_status": "extended"}]}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"max_slot_wal_keep_size": "50GB"},
 "results": {"replication_slots": [{"slot_name": "debezium", "slot_type": "logical",
   "plugin": "pgoutput", "database": "shop", "active": true, "active_pid": 8123,
   "retained_bytes": 1048576, "wal_status": "reserved"}]}}
```

## Fix safety
Dropping a slot is irreversible: its consumer (replica or CDC connector) can no longer resume and
must be re-seeded. Make sure it is really abandoned. Capping `max_slot_wal_keep_size` protects the
disk at the cost of invalidating slots that fall too far behind. Manual.

## References
- https://www.postgresql.org/docs/current/view-pg-replication-slots.html
- https://www.postgresql.org/docs/current/runtime-config-replication.html#GUC-MAX-SLOT-WAL-KEEP-SIZE
- https://bucardo.org/check_postgres/check_postgres.pl.html#replication_slots
- https://github.com/ankane/pghero
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location, Severity
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._pg import number
from dbexpert.rules.registry import Rule, Target
from dbexpert.sql.quote import quote_literal


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    cap = snapshot.setting("max_slot_wal_keep_size")
    for row in snapshot.rows("replication_slots"):
        if row.get("active"):
            continue
        retained = number(row.get("retained_bytes"))
        if retained is not None and retained < ctx.option("min_retained_bytes"):
            continue
        name = str(row["slot_name"])
        statements = [f"SELECT pg_drop_replication_slot({quote_literal(name)});"]
        if cap in (None, "-1"):
            statements.append(
                "-- and cap what any slot may keep (13+):\n"
                "ALTER SYSTEM SET max_slot_wal_keep_size = '50GB';\nSELECT pg_reload_conf();"
            )
        size = "an unknown amount of" if retained is None else f"{retained / 1024**2:,.0f} MB of"
        yield ctx.finding(
            f"Replication slot {name} ({row.get('slot_type')}) is inactive and keeps {size} WAL on the server.",
            location=Location(object=f"replication slot {name}"),
            fix="Reconnect its consumer, or drop the slot if the replica or CDC tool is gone.",
            sql="\n".join(statements),
            severity=Severity.ERROR
            if retained is not None and retained >= ctx.option("error_bytes")
            else None,
            evidence={
                **dict(row),
                "max_slot_wal_keep_size": cap,
                "source": "pg_replication_slots, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)",
            },
        )


RULE = Rule(
    name="inactive-replication-slot",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    options={"min_retained_bytes": 0, "error_bytes": 10 * 1024**3},
)
