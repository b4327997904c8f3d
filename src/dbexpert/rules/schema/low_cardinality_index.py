"""
## What it does
Finds single-column B-tree indexes on a column with very few distinct values in a large table.

Precisely, it finds single-column B-tree indexes on a column with very few distinct values (at most
`max_distinct`) in a table of at least `min_rows` rows, according to the server's statistics
(PostgreSQL `pg_stats`, MySQL index cardinality, SQLite `sqlite_stat1`). Unique, partial and
constraint indexes are left alone.

## Why is this bad?
A lookup on a value shared by a large fraction of the rows reads most of the table through the
index, which is slower than scanning it, so the planner ignores the index for common values; yet
every write maintains it. Only the rare values benefit, and a partial index on just those serves
them at a fraction of the size.

## Example
```sql
CREATE TABLE jobs (id bigint PRIMARY KEY, status text NOT NULL);
CREATE INDEX jobs_status_idx ON jobs (status);
```

## Use instead
```sql
CREATE TABLE jobs (id bigint PRIMARY KEY, status text NOT NULL);
CREATE INDEX jobs_status_pending_idx ON jobs (status) WHERE status IN ('pending', 'failed');
```
In an ORM: Django `Meta.indexes = [Index(fields=["status"], condition=Q(status__in=[...]))]`,
Prisma has no partial indexes (write it in the migration SQL), TypeORM
`@Index({ where: "status IN ('pending')" })`, Drizzle `index("…").on(t.status).where(...)`,
SQLAlchemy `Index(..., postgresql_where=...)`.

## Fix safety
Queries filtering on a common value lose nothing (they were not using the index); queries on a
value left out of the partial index will scan. Check which values the application looks up
before dropping; the proposed values are the rare ones among the statistics' most common values.
The fix is manual.

## References
- https://www.postgresql.org/docs/current/indexes-partial.html
- https://www.postgresql.org/docs/current/view-pg-stats.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, ColumnStats, Engine, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import (
    create_index_sql,
    drop_index_sql,
    index_location,
    index_name,
    row_estimate,
)
from dbexpert.sql.quote import quote_literal


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    rows = row_estimate(table)
    if rows is None or rows < ctx.option("min_rows"):
        return
    for index in table.indexes:
        if len(index.keys) != 1 or index.keys[0].column is None or index.method.lower() != "btree":
            continue
        if index.unique or index.enforces_constraint or index.where is not None:
            continue
        column = table.column(index.keys[0].column)
        stats = column.stats if column is not None else None
        if (
            column is None
            or stats is None
            or stats.distinct is None
            or stats.distinct > ctx.option("max_distinct")
        ):
            continue
        rare = _rare_values(stats, ctx.option("rare_fraction"))
        drop = drop_index_sql(ctx, table, index)
        if rare:
            where = f"{ctx.ident(column.name)} IN ({', '.join(quote_literal(v) for v in rare)})"
            name = index_name(table, [column.name], "rare_idx")
            sql = f"{create_index_sql(ctx, table, name, [column.name], where=where)}\n{drop}"
            fix = f"Replace {index.name} by a partial index on the rare values of {column.name}."
        else:
            sql, fix = drop, f"Drop {index.name}, or replace it by a partial index on the values you look up."
        yield ctx.finding(
            f"Index {index.name} on {table.qualified_name}.{column.name} has only about {stats.distinct:.0f} "
            f"distinct values in {rows} rows.",
            table=table,
            location=index_location(table, index),
            fix=fix,
            sql=sql,
            evidence={
                "distinct": stats.distinct,
                "row_estimate": rows,
                "most_common": dict(zip(stats.most_common_values, stats.most_common_freqs, strict=False)),
                "index_scans": index.stats.scans if index.stats else None,
            },
        )


def _rare_values(stats: ColumnStats, threshold: float) -> list[str]:
    pairs = zip(stats.most_common_values, stats.most_common_freqs, strict=False)
    return [value for value, freq in pairs if freq <= threshold]


RULE = Rule(
    name="low-cardinality-index",
    category=Category.PERFORMANCE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    options={"max_distinct": 10, "min_rows": 10000, "rare_fraction": 0.05},
    needs_live=True,
    example_engine=Engine.POSTGRES,
)
