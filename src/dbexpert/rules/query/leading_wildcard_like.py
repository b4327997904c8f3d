"""
## What it does
Finds `col LIKE '%abc'`, `'%abc%'`, `'_abc'`, `ILIKE` and `NOT LIKE` with a pattern that starts with
a wildcard (a constant, or a concatenation that starts with one: `'%' || $1`, `CONCAT('%', ?)`).
`LIKE 'abc%'` is fine and not reported. With a schema it stays quiet when a trigram (PostgreSQL) or
FULLTEXT (MySQL) index on the column exists.

## Why is this bad?
A B-tree is sorted from the first character: with an unknown first character there is no range to
seek, so every row is read and matched. Substring search needs another kind of index: trigrams
(`pg_trgm`) on PostgreSQL, which serve `LIKE`/`ILIKE '%abc%'` as written, or full-text search when the
search is for words (PostgreSQL `tsvector`, MySQL `FULLTEXT` with `MATCH … AGAINST`, SQLite FTS5).

## Example
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
SELECT id FROM customers WHERE email LIKE '%@example.com';
```

## Use instead
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX customers_email_trgm_idx ON customers USING gin (email gin_trgm_ops);
SELECT id FROM customers WHERE email LIKE '%@example.com';
```

## Fix safety
Manual: the PostgreSQL trigram index serves the query unchanged (it needs the `pg_trgm` extension
and costs write time and space). Full-text search (`to_tsvector(…) @@ websearch_to_tsquery(…)`,
MySQL `MATCH … AGAINST`, SQLite FTS5 `MATCH`) matches words, not arbitrary substrings, so it
changes results and needs the query rewritten by hand. Searching a reversed column or a suffix
column is another option for suffix patterns (`'%@example.com'`).

## References
- https://use-the-index-luke.com/sql/where-clause/searching-for-ranges/like-performance-tuning
- https://www.postgresql.org/docs/current/pgtrgm.html#PGTRGM-INDEX
- https://www.postgresql.org/docs/current/textsearch-tables.html
- https://dev.mysql.com/doc/refman/8.0/en/fulltext-search.html
- https://www.sqlite.org/fts5.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Category, Engine, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._indexes import index_name
from dbexpert.rules.query._query import location, schema_source, table
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.filters import leading_wildcard_likes

    for match in leading_wildcard_likes(query):
        ref = match.columns[0]
        found = table(ctx, ref.table)
        if _substring_index(found, ref.column):
            continue
        operator = ("NOT " if match.facts["negated"] else "") + (
            "ILIKE" if match.facts["case_insensitive"] else "LIKE"
        )
        fix, sql = _advice(ctx, ref.table, ref.column)
        yield ctx.finding(
            f"`{match.snippet}`: a pattern starting with '{match.facts['pattern'][:1]}' cannot use a B-tree "
            f"index on {ref}, so every row is read and matched.",
            location=location(query, match),
            fix=fix,
            sql=sql,
            evidence={
                "column": str(ref),
                "operator": operator,
                "pattern_starts_with": match.facts["pattern"][:20],
                "indexes_from": schema_source(ctx),
            },
        )


def _substring_index(found: Table | None, column: str) -> bool:
    """A trigram (GIN/GiST with a trgm operator class) or FULLTEXT index whose first key is ``column``."""
    if found is None:
        return False
    for index in found.indexes:
        first = index.keys[0] if index.keys else None
        if first is None or (first.column or "").lower() != column.lower():
            continue
        if index.method == "fulltext" or "trgm" in (first.opclass or ""):
            return True
    return False


def _advice(ctx: RuleContext, table_name: str | None, column: str) -> tuple[str, str | None]:
    target = ctx.ident(table_name.rpartition(".")[2]) if table_name else None
    col = ctx.ident(column)
    if ctx.engine is Engine.POSTGRES:
        sql = None
        if target is not None and table_name is not None:
            name = ctx.ident(index_name(table_name, column, "trgm"))
            sql = (
                "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
                f"CREATE INDEX {name} ON {target} USING gin ({col} gin_trgm_ops);"
            )
        return (
            "Create a trigram GIN index (pg_trgm): it serves LIKE/ILIKE '%…%' as written. When searching "
            "for words, use full-text search (to_tsvector/websearch_to_tsquery with a GIN index) instead.",
            sql,
        )
    if ctx.engine is Engine.MYSQL:
        sql = None
        if target is not None and table_name is not None:
            name = ctx.ident(index_name(table_name, column, "ft"))
            sql = f"ALTER TABLE {target} ADD FULLTEXT INDEX {name} ({col});"
        return (
            "For word search add a FULLTEXT index and query with MATCH (…) AGAINST (…) (it matches "
            "words, not substrings); for suffixes store and index a reversed column.",
            sql,
        )
    return (
        "Use an FTS5 virtual table for text search (MATCH matches words and, with the trigram "
        "tokenizer, substrings); for suffixes store and index a reversed column.",
        None,
    )


RULE = Rule(
    name="leading-wildcard-like",
    category=Category.PERFORMANCE,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
