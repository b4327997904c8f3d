"""
## What it does
Finds foreign keys that are meant to be one-to-one but have no unique constraint or unique index
on their columns.

The rule is deliberately conservative: it only fires when the child table is
named `<parent>_<part>` with a part that by convention holds one row per parent — `profile`,
`setting`, `detail`, `preference`, `stat`, `statistic`, `metadata`, `info`, `extension`,
`config` (singular or plural) — and the foreign key points at that `<parent>` table.

## Why is this bad?
The application assumes one row per parent (`user.profile`), but nothing enforces it: a retried
request or a race inserts a second row, and from then on which one a query returns is arbitrary.
ORMs that load the relation as a single object silently pick one.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE user_profiles (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    bio text
);
```

## Use instead
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE user_profiles (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL UNIQUE REFERENCES users (id),
    bio text
);
```
In an ORM: Prisma `userId Int @unique`, TypeORM `@OneToOne` with `@JoinColumn()` (it adds the
unique constraint), Drizzle `.unique()`, SQLAlchemy `unique=True`, Django `OneToOneField`.

## Fix safety
Building the unique index fails if duplicates already exist: find them first with
`SELECT user_id FROM user_profiles GROUP BY user_id HAVING count(*) > 1`. On PostgreSQL the index
is built `CONCURRENTLY` and then attached as a constraint, which only needs a brief lock. The
fix is manual: the one-to-one intent is read from names.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX
- https://dev.mysql.com/doc/refman/8.0/en/create-table-foreign-keys.html
"""

import re
from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, ForeignKey, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import create_index_sql, index_name, unique_on
from dbexpert.rules.schema._names import name_forms
from dbexpert.rules.schema._orm import field, fields

_ONE_PER_PARENT = re.compile(
    r"^(?P<parent>.+?)_(profiles?|settings?|details?|preferences?|stats?|statistics?|metadata|infos?"
    r"|extensions?|configs?)$",
    re.IGNORECASE,
)

_MAKE_UNIQUE = {
    Engine.POSTGRES: "{create}\nALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name};",
    Engine.MYSQL: "ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({columns});",
    Engine.SQLITE: "{create}",
}


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    match = _ONE_PER_PARENT.match(table.name)
    if match is None:
        return
    for fk in table.foreign_keys:
        if fk.ref_table.lower() not in name_forms(match.group("parent")) or unique_on(table, fk.columns):
            continue
        yield _finding(table, fk, ctx)


def _finding(table: Table, fk: ForeignKey, ctx: RuleContext) -> Finding:
    name = index_name(table, fk.columns, "key")
    sql = _MAKE_UNIQUE[ctx.engine].format(
        create=create_index_sql(ctx, table, name, fk.columns, unique=True),
        table=ctx.table_name(table),
        name=ctx.ident(name),
        columns=ctx.columns_sql(fk.columns),
    )
    return ctx.finding(
        f"{table.qualified_name} looks like one row per {fk.ref_table}, but nothing makes "
        f"({', '.join(fk.columns)}) unique.",
        table=table,
        column=fk.columns[0],
        location=fk.location,
        fix=ctx.orm_fix(
            "Make the foreign key columns unique (remove duplicate rows first).", **_orm_fix(ctx, table, fk)
        ),
        sql=sql,
        evidence={"columns": list(fk.columns), "references": fk.ref_table, "heuristic": "table name"},
    )


def _orm_fix(ctx: RuleContext, table: Table, fk: ForeignKey) -> dict[str, str]:
    model, names = ctx.orm_name(table), fields(ctx, table, fk.columns)
    if len(names) > 1:
        listed = ", ".join(names)
        return {
            "prisma": f"In Prisma: add @@unique([{listed}]) to model {model}.",
            "typeorm": f"In TypeORM: add @Unique([{_quoted(names)}]) to entity {model}.",
            "sqlalchemy": (
                f"In SQLAlchemy: add UniqueConstraint({', '.join(repr(c) for c in fk.columns)}) to "
                f"__table_args__ of {model}."
            ),
        }
    where = field(ctx, table, fk.columns[0])
    relation = fk.attrs.get("orm_field", names[0])
    return {
        "prisma": f"In Prisma: add @unique to {where}.",
        "typeorm": (
            f"In TypeORM: declare the relation {relation} of {model} with @OneToOne and @JoinColumn() "
            "instead of @ManyToOne (TypeORM then adds the unique constraint)."
        ),
        "drizzle": f"In Drizzle: add .unique() to {where}.",
        "sqlalchemy": f"In SQLAlchemy: pass unique=True to mapped_column(...) of {where}.",
        "django": f"In Django: declare {model}.{relation} as models.OneToOneField instead of models.ForeignKey.",
    }


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)  # TypeScript string literals


RULE = Rule(
    name="one-to-one-without-unique",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    example_engine=Engine.POSTGRES,
)
