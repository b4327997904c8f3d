"""
## What it does
Finds MySQL/MariaDB index accesses that read many rows only for the rest of the condition to
discard most of them.

Accesses are `range`, `ref`, `index`, ...; what is kept is `filtered` / `r_filtered` in JSON, or a
TREE `Filter`'s rows against the index access below it. Full table scans are
`mysql-full-table-scan`'s.

Options: `min_rows` (rows read, default 10,000) and `max_kept_fraction` (share the condition
keeps, default 0.1).

## Why is this bad?
The index narrows the rows only by its own columns; every row it returns is then fetched from the
table and tested against the remaining condition. When 90% or more of them are thrown away, the
index is the wrong one for this query: adding the filtered columns to it (equality columns first)
lets the index itself discard them.

## Example
```text
-> Filter: (orders.`status` = 'refunded')  (cost=4801.25 rows=1200) (actual time=0.061..18.214 rows=120 loops=1)
    -> Index range scan on orders using orders_created_idx over ('2024-01-01 00:00:00' <= created_at < '2024-02-01 00:00:00')  (cost=4801.25 rows=12000) (actual time=0.043..15.992 rows=12000 loops=1)
```

## Use instead
`CREATE INDEX orders_status_created_at_idx ON orders (status, created_at)`:
```text
-> Index range scan on orders using orders_status_created_at_idx over (status = 'refunded' AND '2024-01-01 00:00:00' <= created_at < '2024-02-01 00:00:00')  (cost=54.26 rows=120) (actual time=0.031..0.212 rows=120 loops=1)
```

## Fix safety
Building the index online (`ALGORITHM=INPLACE LOCK=NONE`) does not block writes in InnoDB, but it
costs a table read and slows writes; the old index may then be redundant (check other queries
before dropping it). The columns are read from the condition text. Without ANALYZE the rows kept
come from the optimizer's `filtered` estimate. Manual.

## References
- https://dev.mysql.com/doc/refman/8.0/en/explain-output.html#explain_filtered
- https://dev.mysql.com/doc/refman/8.0/en/multiple-column-indexes.html
- https://mariadb.com/kb/en/analyze-statement/
"""

import re
from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._mysql_plan import access, create_index, filter_columns
from dbexpert.rules.plan._plan import location
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    facts = access(site)
    if facts is None or facts.node.attrs.get("access_type") in {"ALL", None} or not facts.condition:
        return
    if not facts.mostly_discarded(ctx.option("min_rows"), ctx.option("max_kept_fraction")):
        return
    columns = filter_columns(facts)
    used = [str(c) for c in facts.node.attrs.get("used_key_parts") or ()]
    if not used and facts.node.index_cond:
        used = [c for c in filter_columns_of(facts.node.index_cond) if c not in columns]
    columns = columns + [c for c in used if c not in columns]
    index = facts.node.index_name or "its index"
    yield ctx.finding(
        f"{facts.node.node_type} on {facts.table} using {index} reads {facts.examined:,.0f} rows and the "
        f"condition keeps {facts.kept:,.0f} ({facts.kept_fraction:.1%}): index the filtered columns too.",
        location=location(site),
        fix=f"Index {facts.table} on the filtered columns then the index's own ({', '.join(columns)}).",
        sql=create_index(facts.table, columns) if columns else None,
        evidence={
            "rows_examined": int(facts.examined),
            "rows_kept": int(facts.kept),
            "index": facts.node.index_name,
            "condition": facts.condition,
            "columns": columns,
            "source": facts.source,
        },
    )


def filter_columns_of(condition: str) -> list[str]:
    """Columns named in a TREE range (``over ('x' <= created_at < 'y')``)."""
    words = re.findall(r"(?<!')\b([A-Za-z_]\w*)\b(?!')", re.sub(r"'(?:[^']|'')*'", "''", condition))
    return [w for w in dict.fromkeys(words) if w.upper() not in {"OVER", "AND", "OR", "NULL", "IS", "NOT"}]


RULE = Rule(
    name="mysql-rows-examined-vs-returned",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"min_rows": 10_000, "max_kept_fraction": 0.1},
)
