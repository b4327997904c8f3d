"""
## What it does
Reports a server without query statistics: the `pg_stat_statements` library is not in
`shared_preload_libraries`, or the extension is not created in the audited database.

## Why is this bad?
`pg_stat_statements` records, per normalized query, how often it ran, its total and mean time,
rows, and the blocks it read. Without it, finding the queries that cost the most means guessing
from logs; with it, PgHero, pg-extras (`outliers`, `calls`) and dbexpert's workload rules can rank
them. Its overhead is small, which is why most managed services enable it by default.

## Example
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"shared_preload_libraries": ""},
 "facts": {"pg_stat_statements_installed": false}}
```

## Use instead
```json
{"engine": "postgres", "version": "15.4",
 "settings": {"shared_preload_libraries": "pg_stat_statements"},
 "facts": {"pg_stat_statements_installed": true}}
```

## Fix safety
Changing `shared_preload_libraries` needs a restart; keep the libraries already listed there.
`CREATE EXTENSION` takes effect immediately. Safe once restarted.

## References
- https://www.postgresql.org/docs/current/pgstatstatements.html
- https://github.com/ankane/pghero
- https://github.com/pawurb/ruby-pg-extras
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Location
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target


def check(snapshot: HealthSnapshot, ctx: RuleContext) -> Iterator[Finding]:
    preload = snapshot.setting("shared_preload_libraries")
    installed = snapshot.facts.get("pg_stat_statements_installed")
    if preload is None and installed is None:
        return
    libraries = [lib.strip().strip('"') for lib in (preload or "").split(",") if lib.strip()]
    loaded = "pg_stat_statements" in libraries
    if loaded and installed is not False:
        return
    statements = []
    if not loaded:
        wanted = ", ".join([*libraries, "pg_stat_statements"])
        statements.append(
            f"ALTER SYSTEM SET shared_preload_libraries = '{wanted}';\n-- restart the server, then:"
        )
    statements.append("CREATE EXTENSION IF NOT EXISTS pg_stat_statements;")
    missing = "not preloaded" if not loaded else "preloaded but the extension is not created in this database"
    yield ctx.finding(
        f"pg_stat_statements is {missing}: there are no per-query statistics to find the costly queries.",
        location=Location(object="pg_stat_statements"),
        fix="Preload the library (restart), then create the extension in the database.",
        sql="\n".join(statements),
        evidence={
            "shared_preload_libraries": preload,
            "extension_installed": installed,
            "source": "pg_settings and pg_extension",
        },
    )


RULE = Rule(
    name="pg-stat-statements-missing",
    category=Category.OPS,
    target=Target.HEALTH,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
)
