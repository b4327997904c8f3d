"""
## What it does
Finds foreign key columns whose type differs from the type of the column they reference.

Precisely, it finds foreign key columns whose type differs from the column they reference: another kind
(`integer` vs `bigint`, `varchar(36)` vs `uuid`, `text` vs `integer` on SQLite), another length
or precision (`varchar(20)` vs `varchar(64)`, `numeric(10)` vs `numeric(12)`), or, on MySQL, a
signed column referencing an `UNSIGNED` one.

## Why is this bad?
A narrower child column cannot hold every parent key: an `integer` reference to a `bigint` key
breaks the day the parent passes 2^31. Cross-type comparisons make joins cast and can keep the
planner off an index. On SQLite a `TEXT` child holding `'42'` never equals an `INTEGER` parent
42, so the constraint fails for rows that look right. MySQL refuses incompatible types and, once
created with checks off, behaves unpredictably.

## Example
```sql
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE invoices (id bigint PRIMARY KEY, account_id integer REFERENCES accounts (id));
```

## Use instead
```sql
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));
```
In an ORM, declare the reference with the parent key's type: Prisma `accountId BigInt` for a
`BigInt @id`, TypeORM `@Column("bigint")`, Drizzle `bigint("account_id", { mode: "number" })`,
SQLAlchemy `BigInteger` on both, Django `ForeignKey` follows the target's field (check
`DEFAULT_AUTO_FIELD` when mixing apps).

## Fix safety
Changing a column's type rewrites the table under an ACCESS EXCLUSIVE lock on PostgreSQL (a
COPY-like lock on MySQL) and rebuilds its indexes; SQLite needs the table rebuilt. Plan it as a
migration with downtime or a shadow-column backfill. The fix is unsafe.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
- https://dev.mysql.com/doc/refman/8.0/en/create-table-foreign-keys.html#foreign-key-restrictions
- https://sqlite.org/datatype3.html#type_affinity
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Column, Engine, Finding, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target

# A serial pseudo-type is only valid at CREATE time; the child gets the underlying integer type.
_SERIAL_BASE = {"serial": "integer", "serial4": "integer", "bigserial": "bigint", "serial8": "bigint"}
_SERIAL_BASE |= {"smallserial": "smallint", "serial2": "smallint"}

_ALTER_TYPE = {
    Engine.POSTGRES: "ALTER TABLE {table} ALTER COLUMN {column} TYPE {type};",
    Engine.MYSQL: "ALTER TABLE {table} MODIFY COLUMN {column} {type}{null};",
    Engine.SQLITE: "-- SQLite cannot change a column's type in place: rebuild {table} with {column} {type}.",
}


def check(table: Table, ctx: RuleContext) -> Iterator[Finding]:
    for fk in table.foreign_keys:
        parent = ctx.catalog.referenced_table(fk, table)
        if parent is None:
            continue
        for name, ref_name in zip(fk.columns, fk.ref_columns, strict=False):
            child, ref = table.column(name), parent.column(ref_name)
            if child is None or ref is None or not (differences := _differences(child, ref)):
                continue
            target = _target_type(ref)
            yield ctx.finding(
                f"{table.qualified_name}.{child.name} ({child.raw_type}) references "
                f"{parent.qualified_name}.{ref.name} ({ref.raw_type}): the types differ.",
                table=table,
                column=child,
                fix=f"Change {child.name} to {target}, the type of the key it references.",
                sql=_ALTER_TYPE[ctx.engine].format(
                    table=ctx.table_name(table),
                    column=ctx.ident(child.name),
                    type=target,
                    null="" if child.nullable else " NOT NULL",
                ),
                applicability=Applicability.UNSAFE,
                evidence={
                    "column_type": child.raw_type,
                    "referenced_type": ref.raw_type,
                    "differs_in": differences,
                },
            )


def _target_type(ref: Column) -> str:
    target = _SERIAL_BASE.get(ref.raw_type.strip().lower(), ref.raw_type)
    if ref.attrs.get("unsigned") and "unsigned" not in target.lower():
        target += " unsigned"  # introspection may keep the sign apart from the type text
    return target


def _differences(child: Column, ref: Column) -> list[str]:
    found = []
    if child.kind is not ref.kind:
        found.append("kind")
    if child.length != ref.length:
        found.append("length")
    if (child.precision, child.scale) != (ref.precision, ref.scale):
        found.append("precision")
    if bool(child.attrs.get("unsigned")) != bool(ref.attrs.get("unsigned")):
        found.append("unsigned")
    return found


RULE = Rule(
    name="foreign-key-type-mismatch",
    category=Category.DESIGN,
    target=Target.TABLE,
    check=check,
    doc=__doc__,
    example_engine=Engine.POSTGRES,
)
