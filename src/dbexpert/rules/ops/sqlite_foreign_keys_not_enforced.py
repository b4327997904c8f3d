"""
## What it does
Reports declared foreign keys that SQLite does not enforce unless each connection asks.

Reports a SQLite schema that declares foreign keys, on a library whose `foreign_keys` pragma is
off for new connections (the default), and counts the rows that already violate them
(`PRAGMA foreign_key_check`, which works whatever the pragma says).

## Why is this bad?
SQLite parses `REFERENCES` clauses but enforces them only on connections that run
`PRAGMA foreign_keys = ON`, every time they connect: it is a per-connection setting, not stored
in the file. An application that forgets it silently stores orphans, and `ON DELETE CASCADE`
does nothing. Violations found here show it already happened.

## Example
```json
{"engine": "sqlite", "version": "3.45.1", "settings": {"foreign_keys": "0"},
 "results": {"foreign_keys": [{"table": "orders", "id": 0, "parent": "customers"}],
             "foreign_key_violations": [{"table": "orders", "rowid": 17, "parent": "customers", "fkid": 0}]}}
```

## Use instead
```json
{"engine": "sqlite", "version": "3.45.1", "settings": {"foreign_keys": "1"},
 "results": {"foreign_keys": [{"table": "orders", "id": 0, "parent": "customers"}],
             "foreign_key_violations": []}}
```

## Fix safety
Turning enforcement on changes behaviour: writes that used to create orphans now fail, and
cascades start deleting. Clean the violating rows first (the evidence lists them). Manual.

## References
- https://www.sqlite.org/foreignkeys.html#fk_enable
- https://www.sqlite.org/pragma.html#pragma_foreign_key_check
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location, Severity
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    declared = snapshot.rows("foreign_keys")
    if not declared or snapshot.setting("foreign_keys") not in ("0", "off", "OFF"):
        return
    violations = snapshot.rows("foreign_key_violations")
    tables = sorted({str(row["table"]) for row in declared})
    broken = sorted({str(row["table"]) for row in violations})
    found = (
        f"; {len(violations)} row(s) already violate them (in {', '.join(broken)})"
        if violations
        else "; no row violates them yet"
    )
    # No violation: a reminder that the application must enable it (the file cannot tell us).
    severity = None if violations else (ctx.options.get("__severity__") or Severity.INFO)
    yield ctx.finding(
        f"{len(declared)} foreign key(s) on {len(tables)} table(s) are enforced only on connections "
        f"that run PRAGMA foreign_keys = ON{found}.",
        location=Location(path=snapshot.source or None, object="foreign_keys"),
        fix="Run PRAGMA foreign_keys = ON on every connection the application opens (most drivers have "
        "a connect hook or option), after removing the violating rows.",
        sql="PRAGMA foreign_keys = ON;  -- on every new connection\nPRAGMA foreign_key_check;",
        severity=severity,
        evidence={
            "foreign_keys_pragma": snapshot.setting("foreign_keys"),
            "declared_foreign_keys": len(declared),
            "violations": [dict(row) for row in violations[:20]],
            "measured": "pragma_foreign_key_list per table; PRAGMA foreign_key_check (first 100 rows)",
        },
    )


RULE = Rule(
    name="sqlite-foreign-keys-not-enforced",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.SQLITE}),
)
