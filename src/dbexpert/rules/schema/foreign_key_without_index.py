"""
## What it does
Finds foreign keys that no index on the referencing (child) table starts with. A key counts as
indexed when its columns are the leading columns of a valid, non-partial index on that table.
Composite keys count in any order among the leading columns; expression keys and partial
indexes do not count.

## Why is this bad?
PostgreSQL and SQLite index the referenced key but never the referencing columns. Every DELETE
or key UPDATE on the parent then scans the child table to check (or cascade to) the rows that
point at it, and joins from parent to children scan too. With `ON DELETE CASCADE` or `SET NULL`
each parent delete rewrites children found by a full scan, holding locks the whole time.
MySQL/InnoDB creates such an index itself, so the rule does not run there.

## Example
```sql
CREATE TABLE authors (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (
    id bigint PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    title text NOT NULL
);
```

## Use instead
```sql
CREATE TABLE authors (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (
    id bigint PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    title text NOT NULL
);
CREATE INDEX books_author_id_idx ON books (author_id);
```
In an ORM: Prisma `@@index([authorId])`, TypeORM `@Index()` on the relation column, Drizzle
`index("books_author_id_idx").on(t.authorId)`, SQLAlchemy `index=True` on the column, Django
creates it for `ForeignKey` unless `db_index=False` (add it back, or list it in `Meta.indexes`).

## Fix safety
`CREATE INDEX CONCURRENTLY` (PostgreSQL) builds the index without blocking writes, but cannot run
inside a transaction block and leaves an invalid index behind if it fails (see `invalid-index`).
On SQLite `CREATE INDEX` blocks writers while it builds. The fix is safe: it only adds an index.

## References
- https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-FK
- https://www.cybertec-postgresql.com/en/index-your-foreign-key/
- https://sqlite.org/foreignkeys.html#fk_indexes
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Severity, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._keys import create_index_sql, index_name, is_covered, row_estimate

# Referential actions that make a parent DELETE write to the child rows it finds by scanning.
_WRITING_ACTIONS = frozenset({"CASCADE", "SET NULL", "SET DEFAULT"})


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for fk in table.foreign_keys:
        if is_covered(table, fk.columns):
            continue
        parent = ctx.catalog.referenced_table(fk, table)
        cascades = fk.on_delete.upper() in _WRITING_ACTIONS
        name = index_name(table, fk.columns)
        fields = ", ".join(ctx.orm_name(table, c) for c in fk.columns)
        quoted = ", ".join(f'"{ctx.orm_name(table, c)}"' for c in fk.columns)  # TypeORM @Index([...])
        keys = ", ".join(f"t.{ctx.orm_name(table, c)}" for c in fk.columns)  # Drizzle index().on(...)
        fields_q = ", ".join(repr(ctx.orm_name(table, c)) for c in fk.columns)
        yield ctx.finding(
            f"Foreign key ({', '.join(fk.columns)}) of {table.qualified_name} referencing {fk.ref_table} "
            "has no index: deletes and key updates on the parent scan the whole table.",
            table=table,
            column=fk.columns[0],
            location=fk.location,
            fix=ctx.orm_fix(
                f"Index the foreign key columns ({', '.join(fk.columns)}).",
                prisma=f"In Prisma: add @@index([{fields}]) to model {ctx.orm_name(table)}.",
                typeorm=(
                    f"In TypeORM: add @Index() above the relation property {fk.attrs.get('orm_field', fields)} "
                    f"of entity {ctx.orm_name(table)}, or @Index([{quoted}]) on the entity."
                ),
                drizzle=(
                    f'In Drizzle: add index("{name}").on({keys}) to the extra config of table {ctx.orm_name(table)}.'
                ),
                sqlalchemy=(
                    f"In SQLAlchemy: pass index=True to mapped_column(ForeignKey(...)) of {fields}, "
                    f"or add Index({name!r}, {', '.join(repr(c) for c in fk.columns)}) to "
                    f"__table_args__ of {ctx.orm_name(table)}."
                ),
                django=(
                    f"In Django: remove db_index=False from {fields} of {ctx.orm_name(table)} "
                    f"(Django indexes a ForeignKey by default), or add models.Index(fields=[{fields_q}], "
                    f"name={name!r}) to Meta.indexes."
                ),
            ),
            sql=create_index_sql(ctx, table, name, fk.columns),
            applicability=Applicability.SAFE,
            severity=Severity.ERROR if cascades else None,
            evidence={
                "foreign_key": fk.name,
                "columns": list(fk.columns),
                "references": f"{fk.ref_table}({', '.join(fk.ref_columns)})",
                "on_delete": fk.on_delete,
                "child_rows": row_estimate(table),
                "parent_rows": row_estimate(parent),
            },
        )


RULE = Rule(
    name="foreign-key-without-index",
    category=Category.PERFORMANCE,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.SQLITE}),
    example_engine=Engine.POSTGRES,
)
