"""
## What it does
Finds MySQL/MariaDB `GROUP BY` and `DISTINCT` evaluated through an internal temporary table over
many rows.

That is `Using temporary`: JSON `using_temporary_table`, MariaDB `temporary_table`, TREE `Aggregate
using temporary table` or `Temporary table with deduplication`. Derived tables and unions, which
always materialize, are left out.

Option: `min_rows` (rows read into the temporary table, default 10,000).

## Why is this bad?
Every row read goes through the temporary table: an in-memory hash table that becomes an on-disk
table once it outgrows `tmp_table_size`, after which MariaDB often sorts it again. An index whose
columns are the `WHERE` equality columns then the `GROUP BY` columns lets the server group rows as
it reads them in index order, without the temporary table.

## Example
```json
{
  "query_block": {
    "select_id": 1,
    "filesort": {
      "sort_key": "orders.customer_id",
      "temporary_table": {
        "nested_loop": [
          {
            "table": {
              "table_name": "orders",
              "access_type": "ALL",
              "rows": 19827,
              "filtered": 100
            }
          }
        ]
      }
    }
  }
}
```

## Use instead
`CREATE INDEX orders_customer_id_idx ON orders (customer_id)`: MariaDB reads the index in order:
```json
{
  "query_block": {
    "select_id": 1,
    "nested_loop": [
      {
        "table": {
          "table_name": "orders",
          "access_type": "index",
          "key": "orders_customer_id_idx",
          "key_length": "4",
          "used_key_parts": ["customer_id"],
          "rows": 19833,
          "filtered": 100,
          "using_index": true
        }
      }
    ]
  }
}
```

## Fix safety
Building the index online (`ALGORITHM=INPLACE LOCK=NONE`) does not block writes in InnoDB, but it
costs a table read and slows writes a little. MySQL's plans do not print the `GROUP BY` columns
(MariaDB's sort above the temporary table does): without them only the advice is given. Manual.

## References
- https://dev.mysql.com/doc/refman/8.0/en/internal-temporary-tables.html
- https://dev.mysql.com/doc/refman/8.0/en/group-by-optimization.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.plan import NodeInPlan
from dbexpert.rules.context import RuleContext
from dbexpert.rules.plan._mysql_plan import key_columns, ordered_index, rows_below
from dbexpert.rules.plan._plan import location
from dbexpert.rules.registry import Rule, Target

_ALWAYS_MATERIALIZED = frozenset({"Materialized subquery", "Union result"})


def check(site: NodeInPlan, ctx: RuleContext) -> Iterator[Finding]:
    node = site.node
    if not node.attrs.get("using_temporary_table") or node.node_type in _ALWAYS_MATERIALIZED:
        return
    rows, accesses = rows_below(node, site.plan.format)
    if rows < ctx.option("min_rows"):
        return
    # MariaDB sorts the grouped rows on the GROUP BY columns right above the temporary table.
    parent = site.parent
    keys = key_columns(parent.sort_key) if parent is not None and parent.attrs.get("using_filesort") else []
    keys = keys or key_columns(node.sort_key)
    columns, sql = ordered_index(accesses, keys)
    yield ctx.finding(
        f"{node.node_type} holds {rows:,.0f} rows read for GROUP BY/DISTINCT: an index on the grouped "
        "columns lets the server group rows in index order without it.",
        location=location(site),
        fix="Index the WHERE equality columns followed by the GROUP BY (or DISTINCT) columns"
        + (f" ({', '.join(columns)})." if columns else "."),
        sql=sql,
        evidence={
            "rows_examined": int(rows),
            "group_key": keys,
            "tables": [a.table for a in accesses],
            "source": accesses[0].source if accesses else "EXPLAIN",
        },
    )


RULE = Rule(
    name="mysql-temporary-table",
    category=Category.PERFORMANCE,
    target=Target.PLAN_NODE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.MYSQL}),
    options={"min_rows": 10_000},
)
