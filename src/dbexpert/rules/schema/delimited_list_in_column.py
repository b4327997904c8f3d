"""
## What it does
Finds text columns holding delimited lists (`"3,17,42"`): a list stored in one value.

Precisely, it finds text columns that hold delimited lists (`"3,17,42"`, `"red;blue"`, `"a@x.io|b@y.io"`),
which breaks first normal form. Live, it judges a text column from the server's statistics
(its most common values) when there are any, and otherwise samples it with one bounded query —
columns named like a list always, other text columns only with `sample_unnamed_columns = true`,
so an audit's round trips do not grow with the number of tables. It fires when at least
`min_fraction` of the values split on `,`, `;` or `|` into two or more short tokens.
From the schema alone it fires, at info severity, only on strong name evidence: a text column
named `tags`, `*_ids` or `*_list`.

## Why is this bad?
The database cannot index, join, constrain or count the elements: finding the rows with tag 7
needs `LIKE '%7%'` (which also matches 17 and 70), ids in the list are never checked against
their table, and removing one element rewrites the string under a race.

## Example
```sql
CREATE TABLE posts (id bigint PRIMARY KEY, title text NOT NULL, tag_ids text);
```

## Use instead
```sql
CREATE TABLE posts (id bigint PRIMARY KEY, title text NOT NULL);
CREATE TABLE post_tag_ids (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id varchar(255) NOT NULL,
    PRIMARY KEY (post_id, tag_id)
);
```
On PostgreSQL a `text[]` or `jsonb` column with a GIN index is an alternative when the elements
reference nothing. In an ORM: Prisma an explicit relation (or `String[]` on PostgreSQL), TypeORM
`@ManyToMany` with `@JoinTable()`, Drizzle a junction table, SQLAlchemy `relationship(secondary=…)`,
Django `ManyToManyField` (or `ArrayField`).

## Fix safety
The fix creates the child table and copies the split values; blanks are skipped and duplicates
collapsed. Drop the old column once the application uses the new table. The fix is manual.

## References
- https://en.wikipedia.org/wiki/First_normal_form
- https://www.postgresql.org/docs/current/arrays.html#ARRAYS-SEARCHING
"""

import re
from collections.abc import Iterator

from dbexpert.model import STRING_KINDS, Category, Column, Engine, Finding, Severity, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import key_column
from dbexpert.rules.schema._names import singular
from dbexpert.rules.schema._types import serial_base
from dbexpert.sql.quote import quote_literal

_DELIMITERS = (",", ";", "|")
_LIST_NAME = re.compile(r"^(tags|.+_ids|.+Ids|.+_list|.+List)$")
_CONCAT = {Engine.POSTGRES: "{a} || {b}", Engine.SQLITE: "{a} || {b}", Engine.MYSQL: "CONCAT({a}, {b})"}
_VALUE_TYPE = {Engine.POSTGRES: "text", Engine.SQLITE: "text", Engine.MYSQL: "varchar(255)"}
# Split with a recursive CTE: portable to PostgreSQL, MySQL 8 and SQLite.
_SPLIT = (
    "INSERT INTO {child} ({ref}, {value})\nWITH RECURSIVE parts (k, item, rest) AS (\n"
    "    SELECT {pk}, '', {rest0} FROM {parent} WHERE {col} IS NOT NULL\n    UNION ALL\n"
    "    SELECT k, trim(substr(rest, 1, instr(rest, {d}) - 1)), substr(rest, instr(rest, {d}) + 1)\n"
    "    FROM parts WHERE rest <> ''\n)\nSELECT DISTINCT k, item FROM parts WHERE item <> '';"
)


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    key = table.primary_key.columns if table.primary_key else ()
    for column in table.columns:
        if column.kind not in STRING_KINDS or column.name in key:
            continue
        named = bool(_LIST_NAME.match(column.name))
        if ctx.probe is None:
            if named:
                yield _finding(table, column, ",", {"evidence": "column name"}, Severity.INFO, ctx)
            continue
        values, source = _values(table, column, named, ctx)
        delimiter, hits = _best_delimiter(values)
        if values and len(hits) >= ctx.option("min_fraction") * len(values):
            example = hits[0] if len(hits[0]) <= 80 else hits[0][:77] + "..."
            evidence = {
                "values_from": source,
                "values": len(values),
                "delimited": len(hits),
                "ratio": round(len(hits) / len(values), 3),
            }
            yield _finding(table, column, delimiter, {**evidence, "example": example}, None, ctx)


def _values(table: Table, column: Column, named: bool, ctx: RuleContext) -> tuple[list[str], str]:
    """Values to judge: the statistics' most common values, else a bounded sample when warranted."""
    if column.stats is not None and column.stats.most_common_values:
        return list(column.stats.most_common_values), "column statistics (most common values)"
    if ctx.probe is None or not (named or ctx.option("sample_unnamed_columns")):
        return [], ""
    return ctx.probe.sample_values(table, column.name, limit=ctx.option("sample_size")), "sample"


def _best_delimiter(values: list[str]) -> tuple[str, list[str]]:
    hits = {d: [v for v in values if _is_list(v, d)] for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: len(hits[d]))
    return best, hits[best]


def _is_list(value: str, delimiter: str) -> bool:
    if value.lstrip().startswith(("[", "{")):
        return False  # JSON or an array literal is structured already
    tokens = [t.strip() for t in value.split(delimiter)]
    return len(tokens) >= 2 and all(t and len(t) <= 64 and len(t.split()) <= 3 for t in tokens)


def _finding(
    table: Table, column: Column, delimiter: str, evidence: dict, severity, ctx: RuleContext
) -> Finding:
    return ctx.finding(
        f"Column {table.qualified_name}.{column.name} holds delimited lists.",
        table=table,
        column=column,
        fix="Store one element per row in a child table.",
        sql=_child_table_sql(table, column, delimiter, ctx),
        evidence={**evidence, "delimiter": delimiter},
        severity=severity,
    )


def _child_table_sql(table: Table, column: Column, delimiter: str, ctx: RuleContext) -> str:
    key = key_column(table)
    child_name = f"{singular(table.name)}_{column.name}"
    if key is None:
        return f"-- {table.qualified_name} needs a single-column primary key before {child_name} can reference it."
    child, parent, pk, col = (
        ctx.ident(child_name),
        ctx.table_name(table),
        ctx.ident(key.name),
        ctx.ident(column.name),
    )
    ref, value = ctx.ident(f"{singular(table.name)}_{key.name}"), ctx.ident(singular(column.name))
    key_type = serial_base(key.raw_type)
    create = (
        f"CREATE TABLE {child} (\n    {ref} {key_type} NOT NULL REFERENCES {parent} ({pk}) ON DELETE CASCADE,\n"
        f"    {value} {_VALUE_TYPE[ctx.engine]} NOT NULL,\n    PRIMARY KEY ({ref}, {value})\n);"
    )
    d = quote_literal(delimiter)
    rest0 = _CONCAT[ctx.engine].format(a=col, b=d)
    return (
        create
        + "\n"
        + _SPLIT.format(child=child, ref=ref, value=value, pk=pk, rest0=rest0, parent=parent, col=col, d=d)
    )


RULE = Rule(
    name="delimited-list-in-column",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    options={"min_fraction": 0.3, "sample_size": 1000, "sample_unnamed_columns": False},
    example_engine=Engine.POSTGRES,
)
