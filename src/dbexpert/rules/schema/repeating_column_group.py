"""
## What it does
Finds numbered column groups (`phone1`, `phone2`, `phone3`): a list stored across columns.

Precisely, it finds groups of two or more columns that share a name stem and differ only by a small number
(`phone1`, `phone2`, `phone3`; `tag_1`, `tag_2`): a list stored across columns, which breaks
first normal form. Stems that name parts of one value (`address_line1`, `addr_line2`,
`street1`) are ignored, as are single-letter stems (`x1`, `y2` coordinates) and numbers that do
not count from 0–2 (`sha1`, `sha256`).

## Why is this bad?
The list has a fixed maximum and every query must look at each column (`WHERE phone1 = ? OR
phone2 = ? OR …`); a fourth phone means a migration; indexes must be made per column; and empty
slots in the middle get no meaning.

## Example
```sql
CREATE TABLE contacts (id bigint PRIMARY KEY, name text, phone1 text, phone2 text, phone3 text);
```

## Use instead
```sql
CREATE TABLE contacts (id bigint PRIMARY KEY, name text);
CREATE TABLE contact_phones (
    contact_id bigint NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    position smallint NOT NULL,
    phone text NOT NULL,
    PRIMARY KEY (contact_id, position)
);
```
In an ORM, model the list as a one-to-many relation: Prisma `phones ContactPhone[]`, TypeORM
`@OneToMany`, Drizzle a second table with `.references()`, SQLAlchemy `relationship()`,
Django a model with a `ForeignKey` to the owner.

## Fix safety
The fix creates the child table and copies the values; dropping the old columns is left to you
once the application reads the new table. The fix is manual.

## References
- https://en.wikipedia.org/wiki/First_normal_form
- https://www.postgresql.org/docs/current/tutorial-fk.html
"""

import re
from collections.abc import Iterator

from dbexpert.model import Category, Column, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import key_column
from dbexpert.rules.schema._names import plural, singular
from dbexpert.rules.schema._types import serial_base

_NUMBERED = re.compile(r"^(?P<stem>.*?[A-Za-z])_?(?P<n>\d{1,2})$")


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    groups: dict[str, list[tuple[int, Column]]] = {}
    for column in table.columns:
        match = _NUMBERED.match(column.name)
        if match and len(match.group("stem")) > 1:
            groups.setdefault(match.group("stem"), []).append((int(match.group("n")), column))
    ignored = tuple(ctx.option("ignore_stems"))
    ignored = (*ignored, *(f"_{stem}" for stem in ignored))
    for stem, members in groups.items():
        numbers = sorted(n for n, _ in members)
        if len(members) < ctx.option("min_columns") or numbers[0] > 2 or _ignored(stem, ignored):
            continue
        columns = [c for _, c in sorted(members, key=lambda m: m[0])]
        yield ctx.finding(
            f"Columns {', '.join(c.name for c in columns)} of {table.qualified_name} store a list across "
            "columns.",
            table=table,
            column=columns[0],
            fix=f"Move the {stem} values to a child table with one row per value.",
            sql=_child_table_sql(table, stem, columns, ctx),
            evidence={"stem": stem, "columns": [c.name for c in columns]},
        )


def _ignored(stem: str, ignored: tuple[str, ...]) -> bool:
    folded = stem.lower()
    return folded in ignored or folded.endswith(tuple(s for s in ignored if s.startswith("_")))


def _child_table_sql(table: Table, stem: str, columns: list[Column], ctx: RuleContext) -> str:
    key = key_column(table)
    child_name = f"{singular(table.name)}_{plural(stem)}"
    if key is None:
        return f"-- {table.qualified_name} needs a single-column primary key before {child_name} can reference it."
    child, parent = ctx.ident(child_name), ctx.table_name(table)
    ref = ctx.ident(f"{singular(table.name)}_{key.name}")
    pk, value = ctx.ident(key.name), ctx.ident(stem)
    key_type = serial_base(key.raw_type)
    create = (
        f"CREATE TABLE {child} (\n    {ref} {key_type} NOT NULL REFERENCES {parent} ({pk}) ON DELETE CASCADE,\n"
        f"    position smallint NOT NULL,\n    {value} {columns[0].raw_type} NOT NULL,\n"
        f"    PRIMARY KEY ({ref}, position)\n);"
    )
    selects = "\nUNION ALL ".join(
        f"SELECT {pk}, {n}, {ctx.ident(c.name)} FROM {parent} WHERE {ctx.ident(c.name)} IS NOT NULL"
        for n, c in enumerate(columns, start=1)
    )
    return f"{create}\nINSERT INTO {child} ({ref}, position, {value})\n{selects};"


RULE = Rule(
    name="repeating-column-group",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    options={
        "min_columns": 2,
        "ignore_stems": ("address_line", "addr_line", "line", "street", "address", "addr"),
    },
)
