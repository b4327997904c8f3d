"""
## What it does
Finds yes/no flags stored as characters or numbers instead of a boolean.

It looks at `char(1)`/`varchar(1)`/`text` columns with a check like `CHECK (col IN ('Y', 'N'))` (also `'T'/'F'`, `'1'/'0'`, `'yes'/'no'`,
`'true'/'false'`) or named `is_*`, `has_*`, `*_flag`, and on PostgreSQL `smallint`/`integer`
columns checked to `0`/`1` or named like a flag. MySQL's `BOOLEAN` is itself `TINYINT(1)`, so
there only the character forms fire; SQLite has no boolean type, so there the advice is
`INTEGER` 0/1 with a check. On a live database a sample of the values must show at most the two
values of one such pair.

## Why is this bad?
A character flag admits more states than two (`'y'`, `' '`, `'X'`) unless a check forbids
them, every query has to know the spelling (`= 'Y'`, `= 'y'`?), and predicates cannot be
written as plain conditions (`WHERE is_active`). PostgreSQL's `boolean` takes one byte, means
exactly true/false/NULL, and maps to the language's boolean in every driver and ORM.

## Example
```sql
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    active char(1) NOT NULL DEFAULT 'Y' CONSTRAINT accounts_active_flag CHECK (active IN ('Y', 'N'))
);
```

## Use instead
```sql
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    active boolean NOT NULL DEFAULT true
);
```
Prisma `Boolean`, TypeORM `@Column("boolean")`, Drizzle `boolean()`, SQLAlchemy `Boolean`
(on SQLite it emits the 0/1 check itself), Django `BooleanField`.

## Fix safety
On PostgreSQL the conversion drops the check and default, rewrites the table under an ACCESS
EXCLUSIVE lock and restates the default as a boolean; every value not in the "true" spelling
becomes false. MySQL and SQLite get a new column and a backfill, then the old column is dropped
once readers have moved. Queries comparing with `'Y'` must change. Marked unsafe.

## References
- https://www.postgresql.org/docs/current/datatype-boolean.html
- https://dev.mysql.com/doc/refman/8.0/en/numeric-type-syntax.html
- https://www.sqlite.org/quirks.html#no_separate_boolean_datatype
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbexpert.model import (
    STRING_KINDS,
    Applicability,
    Category,
    CheckConstraint,
    Column,
    Engine,
    Finding,
    Table,
)
from dbexpert.model import TypeKind as K
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._names import words
from dbexpert.rules.schema._types import backfill_sql
from dbexpert.sql.quote import quote_literal

_PAIRS = [frozenset(p) for p in (("y", "n"), ("t", "f"), ("1", "0"), ("yes", "no"), ("true", "false"))]
_TRUE = frozenset({"y", "t", "1", "yes", "true"})
# Which column kinds can be a flag worth a boolean: integers only where a real boolean exists.
_FLAG_KINDS = {
    Engine.POSTGRES: STRING_KINDS | {K.SMALLINT, K.INTEGER},
    Engine.MYSQL: STRING_KINDS,
    Engine.SQLITE: STRING_KINDS,
}
_STRING = re.compile(r"'((?:[^']|'')*)'")
_NUMBER = re.compile(r"(?<![\w.])(\d+)(?![\w.])")


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for column in table.columns:
        if column.kind not in _FLAG_KINDS[ctx.engine]:
            continue
        numeric = column.kind not in STRING_KINDS
        constraint, literals = _flag_check(table, column, numeric)
        parts = words(column.name)
        named = bool(parts) and (parts[0] in ("is", "has") or parts[-1] == "flag")
        if constraint is None and not (named and (numeric or column.length == 1)):
            continue
        evidence: dict[str, object] = {
            "type": column.raw_type,
            "check": constraint and constraint.expression,
            "flag_name": named,
        }
        if ctx.probe is not None:
            seen = {v.strip().lower() for v in ctx.probe.sample_values(table, column.name)}
            if seen and not any(seen <= pair for pair in _PAIRS):
                continue
            evidence["sampled_distinct_values"] = sorted(seen)
        yield ctx.finding(
            f"Column {table.qualified_name}.{column.name} is a yes/no flag stored as {column.raw_type}.",
            table=table,
            column=column,
            fix="Store the flag as a boolean (INTEGER 0/1 with a CHECK on SQLite).",
            sql=_fix_sql(ctx, table, column, constraint, literals, numeric),
            applicability=Applicability.UNSAFE,
            evidence=evidence,
        )


def _flag_check(table: Table, column: Column, numeric: bool) -> tuple[CheckConstraint | None, list[str]]:
    mentions = re.compile(rf"(?<!\w){re.escape(column.name)}(?!\w)", re.IGNORECASE)
    for constraint in table.checks:
        if not mentions.search(constraint.expression):
            continue
        literals = (_NUMBER if numeric else _STRING).findall(constraint.expression)
        if frozenset(v.lower() for v in literals) in _PAIRS:
            return constraint, literals
    return None, []


def _fix_sql(
    ctx: RuleContext,
    table: Table,
    column: Column,
    constraint: CheckConstraint | None,
    literals: list[str],
    numeric: bool,
) -> str:
    name, col = ctx.table_name(table), ctx.ident(column.name)
    truths = sorted({v for v in literals if v.lower() in _TRUE}) or ["Y", "T", "1"]
    truth = f"{col} <> 0" if numeric else f"{col} IN ({', '.join(quote_literal(v) for v in truths)})"
    default = (
        (_STRING.search(column.default or "") or _NUMBER.search(column.default or ""))
        if column.default
        else None
    )
    default_sql = ("true" if default.group(1).lower() in _TRUE else "false") if default else None
    if ctx.engine is Engine.POSTGRES:
        steps = [f"DROP CONSTRAINT {ctx.ident(constraint.name)}"] if constraint and constraint.name else []
        steps += [f"ALTER COLUMN {col} DROP DEFAULT"] if column.default else []
        steps.append(f"ALTER COLUMN {col} TYPE boolean USING {truth}")
        steps += [f"ALTER COLUMN {col} SET DEFAULT {default_sql}"] if default_sql else []
        return f"ALTER TABLE {name}\n    " + ",\n    ".join(steps) + ";"
    new = ctx.ident(f"{column.name}_bool")
    new_type = "BOOLEAN" if ctx.engine is Engine.MYSQL else f"INTEGER CHECK ({new} IN (0, 1))"
    if default_sql:
        new_type += (
            f" NOT NULL DEFAULT {default_sql if ctx.engine is Engine.MYSQL else int(default_sql == 'true')}"
        )
    return backfill_sql(
        name, new, new_type, f"({truth})", f"drop {col} (and its CHECK) and rename {new} to {col}."
    )


RULE = Rule(
    name="flag-instead-of-boolean",
    category=Category.STYLE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    example_engine=Engine.POSTGRES,
)
