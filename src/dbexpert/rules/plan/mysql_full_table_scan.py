"""
## What it does
Finds MySQL/MariaDB full table scans (access type `ALL`, TREE `Table scan on`) that read many rows
only for a `WHERE` or join condition to discard most of them. Reads MariaDB `ANALYZE
FORMAT=JSON`, MySQL `EXPLAIN ANALYZE` and, from estimates, `EXPLAIN FORMAT=JSON`/`FORMAT=TREE`.

Options: `min_rows` (rows read, default 10,000) and `max_kept_fraction` (share of them the
condition keeps, default 0.1).

## Why is this bad?
A full scan reads every row of the table, whatever the condition keeps. When the condition keeps
200 rows of 20,000, 99% of the work is wasted, and the query gets slower as the table grows. An
index on the compared columns (equality columns first) reads only the matching rows.

## Example
```json
{
  "query_block": {
    "select_id": 1,
    "r_loops": 1,
    "r_total_time_ms": 3.795,
    "nested_loop": [
      {
        "table": {
          "table_name": "orders",
          "access_type": "ALL",
          "r_loops": 1,
          "rows": 19830,
          "r_rows": 20000,
          "r_table_time_ms": 3.0016,
          "filtered": 100,
          "r_filtered": 1,
          "attached_condition": "orders.`status` = 'refunded'"
        }
      }
    ]
  }
}
```

## Use instead
`CREATE INDEX orders_status_idx ON orders (status)`, after which MariaDB reads 200 rows:
```json
{
  "query_block": {
    "select_id": 1,
    "r_loops": 1,
    "r_total_time_ms": 0.197,
    "nested_loop": [
      {
        "table": {
          "table_name": "orders",
          "access_type": "ref",
          "possible_keys": ["orders_status_idx"],
          "key": "orders_status_idx",
          "used_key_parts": ["status"],
          "ref": ["const"],
          "r_loops": 1,
          "rows": 200,
          "r_rows": 200,
          "filtered": 100,
          "r_filtered": 100,
          "index_condition": "orders.`status` = 'refunded'"
        }
      }
    ]
  }
}
```

## Fix safety
`ALGORITHM=INPLACE LOCK=NONE` builds the index online in InnoDB (the statement fails instead of
blocking writes when that is impossible), but it still reads the whole table and every index slows
writes a little. The columns are read from the condition text: check them (functions such as
`lower(email)` need a functional index). Without ANALYZE, the rows kept come from the optimizer's
`filtered` estimate, which MariaDB leaves at 100 without histograms. Manual.

## References
- https://dev.mysql.com/doc/refman/8.0/en/explain-output.html#explain-join-types
- https://dev.mysql.com/doc/refman/8.0/en/mysql-indexes.html
- https://mariadb.com/kb/en/analyze-statement/
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._mysql_plan import access, create_index, filter_columns
from dbexpert.rules.plan._plan import location
from dbexpert.rules.registry import Rule, Target


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    facts = access(site)
    if facts is None or facts.node.attrs.get("access_type") != "ALL" or not facts.condition:
        return
    if not facts.mostly_discarded(ctx.option("min_rows"), ctx.option("max_kept_fraction")):
        return
    columns = filter_columns(facts)
    yield ctx.finding(
        f"Full table scan of {facts.table} reads {facts.examined:,.0f} rows and keeps {facts.kept:,.0f} "
        f"({facts.kept_fraction:.1%}): an index on the compared columns would read only the matches.",
        location=location(site),
        fix=f"Index {facts.table} on the compared columns ({', '.join(columns) or 'see the condition'}).",
        sql=create_index(facts.table, columns) if columns else None,
        evidence={
            "rows_examined": int(facts.examined),
            "rows_kept": int(facts.kept),
            "condition": facts.condition,
            "columns": columns,
            "source": facts.source,
        },
    )


RULE = Rule(
    name="mysql-full-table-scan",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"min_rows": 10_000, "max_kept_fraction": 0.1},
)
