"""
## What it does
Finds columns named like a reference to another table's key (`user_id` -> `users.id`) that no
foreign key covers.

Precisely, it finds columns named like a reference (`user_id`, `userId`) whose name matches another table
(`users`, `user`; `category_id` -> `categories`, `person_id` -> `people`) with a single-column
key of a compatible type, but that no foreign key covers.

Live, it checks a bounded sample of
the values against the parent and reports how many point nowhere.

Polymorphic pairs (`commentable_type` + `commentable_id`), external ids with no matching table
(`stripe_id`) and the table's own key are left alone.

## Why is this bad?
Without the constraint nothing stops a row from pointing at a parent that never existed or was
deleted: orphans appear silently, joins drop rows, and the planner cannot use the relationship.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(12, 2));
```

## Use instead
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    total numeric(12, 2)
);
```
In an ORM: Prisma `user User @relation(fields: [userId], references: [id])`, TypeORM
`@ManyToOne(() => User)`, Drizzle `.references(() => users.id)`, SQLAlchemy
`ForeignKey("users.id")`, Django `models.ForeignKey(User, on_delete=...)`.

## Fix safety
On PostgreSQL the constraint is added `NOT VALID` (a brief lock, no scan) and validated
separately with `VALIDATE CONSTRAINT`, which only takes a SHARE UPDATE EXCLUSIVE lock. Rows
that point nowhere make the validation fail: fix or delete them first (the fix shows how to find
them). MySQL checks every row while adding it; SQLite cannot add a constraint without rebuilding
the table. The fix is manual: the name match is a heuristic.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
- https://dev.mysql.com/doc/refman/8.0/en/create-table-foreign-keys.html
- https://sqlite.org/lang_altertable.html#otheralter
"""

from collections.abc import Iterator

from dbexpert.model import INTEGER_KINDS, STRING_KINDS, Category, Column, Engine, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import index_name, key_column
from dbexpert.rules.schema._names import name_forms, reference_stem, tables_named
from dbexpert.rules.schema._orm import field

_FAMILIES = (INTEGER_KINDS, STRING_KINDS)

_ADD_FK = {
    Engine.POSTGRES: (
        "ALTER TABLE {child} ADD CONSTRAINT {name} FOREIGN KEY ({col}) REFERENCES {parent} ({ref}) NOT VALID;\n"
        "ALTER TABLE {child} VALIDATE CONSTRAINT {name};"
    ),
    Engine.MYSQL: "ALTER TABLE {child} ADD CONSTRAINT {name} FOREIGN KEY ({col}) REFERENCES {parent} ({ref});",
    Engine.SQLITE: "-- SQLite cannot add a foreign key in place: rebuild {child} with\n"
    "-- {col} REFERENCES {parent} ({ref}) (the 12-step ALTER TABLE procedure).",
}
_FIND_ORPHANS = (
    "-- First repair the rows that point nowhere:\n"
    "-- SELECT * FROM {child} c WHERE c.{col} IS NOT NULL\n"
    "--   AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{ref} = c.{col});\n"
)


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    covered = {c.lower() for fk in table.foreign_keys for c in fk.columns}
    own_key = {c.lower() for c in table.primary_key.columns} if table.primary_key else set()
    names = {c.name.lower() for c in table.columns}
    for column in table.columns:
        stem = reference_stem(column.name)
        if stem is None or column.name.lower() in covered or f"{stem.lower()}_type" in names:
            continue
        if column.name.lower() in own_key and table.name.lower() in name_forms(stem):
            continue  # users.user_id is the table's own key, not a reference
        found = _parent(table, column, stem, ctx)
        if found is None:
            continue
        parent, ref = found
        yield _finding(table, column, parent, ref, ctx)


def _parent(table: Table, column: Column, stem: str, ctx: RuleContext) -> tuple[Table, Column] | None:
    for parent in tables_named(ctx.catalog, stem, table.schema):
        ref = key_column(parent)
        if ref is not None and _compatible(column, ref):
            return parent, ref
    return None


def _compatible(a: Column, b: Column) -> bool:
    return a.kind is b.kind or any(a.kind in family and b.kind in family for family in _FAMILIES)


def _finding(table: Table, column: Column, parent: Table, ref: Column, ctx: RuleContext) -> Finding:
    names = {
        "child": ctx.table_name(table),
        "parent": ctx.table_name(parent),
        "col": ctx.ident(column.name),
        "ref": ctx.ident(ref.name),
        "name": ctx.ident(index_name(table, [column.name], "fkey")),
    }
    evidence: dict[str, object] = {"references": f"{parent.qualified_name}({ref.name})", "match": "by name"}
    sql = _ADD_FK[ctx.engine].format(**names)
    if ctx.probe is not None:
        checked, orphans = ctx.probe.count_orphans(
            table, (column.name,), parent, (ref.name,), limit=ctx.option("orphan_check_limit")
        )
        evidence.update(values_checked=checked, orphans=orphans)
        if orphans:
            sql = _FIND_ORPHANS.format(**names) + sql
    return ctx.finding(
        f"Column {table.qualified_name}.{column.name} looks like a reference to "
        f"{parent.qualified_name}({ref.name}) but has no foreign key.",
        table=table,
        column=column,
        fix=ctx.orm_fix(
            f"Add a foreign key from {column.name} to {parent.qualified_name}({ref.name}).",
            **_orm_fix(ctx, table, column, parent, ref),
        ),
        sql=sql,
        evidence=evidence,
    )


def _orm_fix(ctx: RuleContext, table: Table, column: Column, parent: Table, ref: Column) -> dict[str, str]:
    model, parent_model = ctx.orm_name(table), ctx.orm_name(parent)
    own, their = ctx.orm_name(table, column.name), ctx.orm_name(parent, ref.name)
    where = field(ctx, table, column)
    # The relation field is named after the column without its id suffix (user_id, userId -> user).
    stem = reference_stem(own) or parent_model[:1].lower() + parent_model[1:]
    return {
        "prisma": (
            f"In Prisma: add {stem} {parent_model} @relation(fields: [{own}], references: [{their}]) to model "
            f"{model}, and a back-relation field of type {model}[] to model {parent_model}."
        ),
        "typeorm": (
            f'In TypeORM: add @ManyToOne(() => {parent_model}) @JoinColumn({{ name: "{column.name}" }}) '
            f"{stem}: {parent_model} to entity {model}."
        ),
        "drizzle": f"In Drizzle: add .references(() => {parent_model}.{their}) to {where}.",
        "sqlalchemy": (
            f'In SQLAlchemy: declare {where} as mapped_column(ForeignKey("{parent.name}.{ref.name}")).'
        ),
        "django": (
            f"In Django: replace {where} with {stem} = models.ForeignKey({parent_model}, "
            f'on_delete=models.PROTECT, db_column="{column.name}").'
        ),
    }


RULE = Rule(
    name="missing-foreign-key",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    options={"orphan_check_limit": 10000},
    example_engine=Engine.POSTGRES,
)
