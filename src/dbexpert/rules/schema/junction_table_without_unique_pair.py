"""
## What it does
Finds link (junction) tables with no primary key or unique constraint on their pair of foreign keys.

Precisely, it finds link (junction) tables — two foreign keys plus at most bookkeeping columns (a surrogate
`id`, `created_at`, `updated_at`, `position`, `sort_order`, `role`, …) — that have no primary key
or unique constraint covering the pair of foreign keys.

## Why is this bad?
Nothing stops the same link from being stored twice. Duplicates double-count in joins and
aggregates (a post shows a tag twice, a user is billed twice for a seat) and deleting "the" link
leaves its twin behind.

## Example
```sql
CREATE TABLE posts (id bigint PRIMARY KEY);
CREATE TABLE tags (id bigint PRIMARY KEY);
CREATE TABLE post_tags (
    post_id bigint NOT NULL REFERENCES posts (id),
    tag_id bigint NOT NULL REFERENCES tags (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
```

## Use instead
```sql
CREATE TABLE posts (id bigint PRIMARY KEY);
CREATE TABLE tags (id bigint PRIMARY KEY);
CREATE TABLE post_tags (
    post_id bigint NOT NULL REFERENCES posts (id),
    tag_id bigint NOT NULL REFERENCES tags (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, tag_id)
);
```
With a surrogate `id` key, add `UNIQUE (post_id, tag_id)` instead. In an ORM: Prisma
`@@id([postId, tagId])` (or `@@unique`), TypeORM `@PrimaryColumn()` on both columns or
`@Unique(["postId", "tagId"])`, Drizzle `primaryKey({ columns: [t.postId, t.tagId] })`,
SQLAlchemy `primary_key=True` on both columns, Django `ManyToManyField` (its table has the
constraint) or `Meta.constraints = [UniqueConstraint(...)]`.

## Fix safety
Adding the key fails while duplicates exist: delete them first (keep one row per pair). It builds
an index under a lock that blocks writes; on a large PostgreSQL table build a unique index
`CONCURRENTLY` first and attach it with `ADD CONSTRAINT … USING INDEX`. The fix is manual.

## References
- https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-UNIQUE-CONSTRAINTS
- https://docs.djangoproject.com/en/stable/ref/models/fields/#manytomanyfield
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import index_name, row_estimate, unique_on
from dbexpert.rules.schema._orm import fields

# Columns a link table may carry besides its two references without being more than a link.
_BOOKKEEPING = frozenset(
    {"id", "created_at", "updated_at", "inserted_at", "created", "modified", "createdat", "updatedat"}
    | {"position", "sort", "sort_order", "sort_index", "ordering", "order", "rank", "role", "weight"}
)

_ADD_KEY = {
    Engine.POSTGRES: "ALTER TABLE {table} ADD {key} ({columns});",
    Engine.MYSQL: "ALTER TABLE {table} ADD {key} ({columns});",
    Engine.SQLITE: "CREATE UNIQUE INDEX {index} ON {table} ({columns});",
}
_DEDUPLICATE = {
    Engine.POSTGRES: "DELETE FROM {table} a USING {table} b WHERE a.ctid > b.ctid AND {same};\n",
    Engine.MYSQL: "-- Remove duplicate ({plain}) rows first, keeping one of each.\n",
    Engine.SQLITE: "DELETE FROM {table} WHERE rowid NOT IN (SELECT min(rowid) FROM {table} GROUP BY {columns});\n",
}


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    single = [fk for fk in table.foreign_keys if len(fk.columns) == 1]
    if len(table.foreign_keys) != 2 or len(single) != 2 or table.kind != "table":
        return
    pair = [single[0].columns[0], single[1].columns[0]]
    if pair[0].lower() == pair[1].lower() or unique_on(table, pair):
        return
    extra = [c.name for c in table.columns if c.name not in pair]
    if any(name.lower() not in _BOOKKEEPING for name in extra):
        return
    columns = ctx.columns_sql(pair)
    name = ctx.table_name(table)
    same = " AND ".join(f"a.{c} = b.{c}" for c in (ctx.ident(p) for p in pair))
    key = (
        "PRIMARY KEY"
        if table.primary_key is None
        else f"CONSTRAINT {ctx.ident(index_name(table, pair, 'key'))} UNIQUE"
    )
    sql = _DEDUPLICATE[ctx.engine] + _ADD_KEY[ctx.engine]
    yield ctx.finding(
        f"Link table {table.qualified_name} has no key on ({', '.join(pair)}): the same link can be stored twice.",
        table=table,
        fix=ctx.orm_fix(
            f"Remove duplicate links, then add a {'primary key' if table.primary_key is None else 'unique constraint'} "
            f"on ({', '.join(pair)}).",
            **_orm_fix(ctx, table, pair),
        ),
        sql=sql.format(
            table=name,
            key=key,
            columns=columns,
            plain=", ".join(pair),
            same=same,
            index=ctx.ident(index_name(table, pair, "key")),
        ),
        evidence={
            "pair": pair,
            "other_columns": extra,
            "row_estimate": row_estimate(table),
        },
    )


def _orm_fix(ctx: RuleContext, table: Table, pair: list[str]) -> dict[str, str]:
    model, names = ctx.orm_name(table), fields(ctx, table, pair)
    key = table.primary_key is None
    name = index_name(table, pair, "key")
    on = ", ".join(f"t.{n}" for n in names)
    django = [str(fk.attrs.get("orm_field", fk.columns[0])) for fk in table.foreign_keys]  # relation fields
    return {
        "prisma": f"In Prisma: add {'@@id' if key else '@@unique'}([{', '.join(names)}]) to model {model}.",
        "typeorm": f"In TypeORM: add @Unique([{_quoted(names)}]) to entity {model}.",
        "drizzle": (
            f"In Drizzle: add primaryKey({{ columns: [{on}] }}) to the extra config of table {model}."
            if key
            else f'In Drizzle: add uniqueIndex("{name}").on({on}) to the extra config of table {model}.'
        ),
        "sqlalchemy": (
            f"In SQLAlchemy: add UniqueConstraint({', '.join(repr(c) for c in pair)}) to __table_args__ of {model}."
        ),
        "django": (
            f"In Django: add models.UniqueConstraint(fields=[{', '.join(repr(n) for n in django)}], "
            f"name={name!r}) to Meta.constraints of {model}."
        ),
    }


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)  # TypeScript string literals


RULE = Rule(
    name="junction-table-without-unique-pair",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    example_engine=Engine.POSTGRES,
)
