"""
## What it does
Finds tables that have no primary key.

## Why is this bad?
Without a primary key a row cannot be addressed reliably: duplicates creep in, ORMs cannot
update or delete single rows, logical replication (PostgreSQL) cannot replicate UPDATE and
DELETE, and MySQL/InnoDB picks a hidden 6-byte row id as the clustered key, which row-based
replication then has to search for with full scans. Group Replication refuses such tables.

## Example
```sql
CREATE TABLE audit_log (
    happened_at timestamptz NOT NULL,
    message text NOT NULL
);
```

## Use instead
```sql
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    happened_at timestamptz NOT NULL,
    message text NOT NULL
);
```
When a column set is already unique and NOT NULL (a natural key), promote it instead:
`ALTER TABLE t ADD PRIMARY KEY (a, b)`. In an ORM: Prisma `@id`, TypeORM
`@PrimaryGeneratedColumn()`, SQLAlchemy `primary_key=True`, Django adds `id` unless told not to.

## Fix safety
Adding a key column rewrites nothing on PostgreSQL 11+ for a constant default, but the identity
column is filled for every row and `ADD PRIMARY KEY` builds a unique index under an exclusive lock:
on a large table create the unique index `CONCURRENTLY` first, then `ADD CONSTRAINT … PRIMARY KEY
USING INDEX`. The fix is manual.

## References
- https://wiki.postgresql.org/wiki/Don%27t_Do_This
- https://dev.mysql.com/doc/refman/8.0/en/innodb-index-types.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    if table.primary_key is not None or table.kind != "table":
        return
    natural = [cols for cols in table.unique_column_sets() if _all_not_null(table, cols)]
    name = ctx.table_name(table)
    if natural:
        columns = sorted(natural[0], key=table.column_names.index)
        sql = f"ALTER TABLE {name} ADD PRIMARY KEY ({ctx.columns_sql(columns)});"
        fix = "Promote the existing unique, NOT NULL column set to the primary key."
    elif ctx.engine is Engine.SQLITE:
        sql = f"-- SQLite cannot add a primary key in place: recreate {name} with an INTEGER PRIMARY KEY column."
        fix = "Rebuild the table with a key column (SQLite's 12-step ALTER procedure)."
    elif ctx.engine is Engine.MYSQL:
        sql = f"ALTER TABLE {name} ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;"
        fix = "Add a surrogate key column."
    else:
        sql = f"ALTER TABLE {name} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;"
        fix = "Add a surrogate key column."
    model = ctx.orm_name(table)
    if table.attrs.get("orm_implicit_relation"):
        prisma = f"In Prisma: {table.name} is an implicit many-to-many table; Prisma 6 gives it a primary key on (A, B)."
    elif natural:
        prisma = (
            f"In Prisma: add @@id([{', '.join(ctx.orm_name(table, c) for c in columns)}]) to model {model}."
        )
    else:
        prisma = f"In Prisma: add a key field to model {model}, e.g. id Int @id @default(autoincrement())."
    rows = table.stats.row_estimate if table.stats else None
    yield ctx.finding(
        f"Table {table.qualified_name} has no primary key.",
        table=table,
        fix=ctx.orm_fix(
            fix,
            prisma=prisma,
            typeorm=(
                f"In TypeORM: make the columns {', '.join(ctx.orm_name(table, c) for c in columns)} of {model} "
                "@PrimaryColumn()."
                if natural
                else f"In TypeORM: add @PrimaryGeneratedColumn() id: number to entity {model}."
            ),
            drizzle=(
                f"In Drizzle: add primaryKey({{ columns: [{', '.join('t.' + ctx.orm_name(table, c) for c in columns)}] }}) "
                f"to the extra config of table {model}."
                if natural
                else f"In Drizzle: add id: {_DRIZZLE_ID.get(ctx.engine, _DRIZZLE_ID[Engine.POSTGRES])} to table {model}."
            ),
            sqlalchemy=(
                f"In SQLAlchemy: add PrimaryKeyConstraint({', '.join(repr(c) for c in columns)}) to "
                f"__table_args__ of {model}."
                if natural
                else f"In SQLAlchemy: add id: Mapped[int] = mapped_column(primary_key=True) to {model}."
            ),
            django=(
                f"In Django: a model always has a primary key; {model} is unmanaged or its table "
                "comes from elsewhere: add a column with primary_key=True."
            ),
        ),
        sql=sql,
        evidence={"row_estimate": rows, "natural_key_candidates": [sorted(c) for c in natural]},
    )


# A surrogate key column in Drizzle's builder syntax, per table function (pgTable, mysqlTable, sqliteTable).
_DRIZZLE_ID = {
    Engine.POSTGRES: 'integer("id").primaryKey().generatedAlwaysAsIdentity()',
    Engine.MYSQL: 'int("id").autoincrement().primaryKey()',
    Engine.SQLITE: 'integer("id").primaryKey({ autoIncrement: true })',
}


def _all_not_null(table: Table, columns: frozenset[str]) -> bool:
    return all((c := table.column(name)) is not None and not c.nullable for name in columns)


RULE = Rule(
    name="table-without-primary-key",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
)
