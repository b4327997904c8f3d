"""
## What it does
Finds PostgreSQL sequences and MySQL `AUTO_INCREMENT` counters that are running out of values.
A counter that has used more than half of the values it can still hand out is a warning, more
than three quarters an error. The bound is the smaller of the sequence's own maximum and the
maximum of the column it feeds: a `bigint` sequence feeding an `integer` column runs out at
2,147,483,647.

## Why is this bad?
When the counter reaches the maximum every insert fails (`nextval: reached maximum value of
sequence`, `integer out of range`, MySQL `Duplicate entry … for key 'PRIMARY'` or `Failed to
read auto-increment value`). Widening a large key column takes hours of rewriting, so it has to
start long before the last value is used.

## Example
```sql
CREATE TABLE events (
    id serial PRIMARY KEY,
    payload jsonb
);
-- live: SELECT last_value FROM events_id_seq;  -- 1,900,000,000 of 2,147,483,647
```

## Use instead
```sql
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payload jsonb
);
```
Prisma `BigInt @id @default(autoincrement())`, TypeORM `@PrimaryGeneratedColumn({ type: "bigint" })`,
Drizzle `bigserial("id", { mode: "number" })`, SQLAlchemy `BigInteger, Identity()`,
Django `BigAutoField` (`DEFAULT_AUTO_FIELD`).

## Fix safety
Widening the column (and every foreign key column that references it) rewrites those tables
under an exclusive lock on PostgreSQL and copies them on MySQL; see `integer-primary-key` for
the online procedure. Raising only the sequence's `MAXVALUE` or type is instant but does not
help while the column stays `integer`. The fix is manual.

## References
- https://www.postgresql.org/docs/current/functions-sequence.html
- https://www.postgresql.org/docs/current/sql-altersequence.html
- https://dev.mysql.com/doc/refman/8.0/en/innodb-auto-increment-handling.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dbexpert.model import Catalog, Category, Column, Engine, Finding, Sequence, Severity, Table
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import Rule, Target
from dbexpert.rules.schema._sequences import sequence_owner, sequence_sql
from dbexpert.rules.schema._types import column_max, is_unsigned


def check(catalog: Catalog, ctx: RuleContext) -> Iterator[Finding]:
    if catalog.engine is Engine.POSTGRES:
        for seq in catalog.sequences:
            if seq.last_value is None or seq.increment <= 0:
                continue  # never used, or descending (runs toward MINVALUE; rare for keys)
            owner = sequence_owner(catalog, seq)
            bounds = [b for b in (seq.max_value, owner and column_max(owner[1])) if b]
            bound = min(bounds, default=2**63 - 1)
            yield from _report(ctx, seq.last_value, bound, seq.qualified_name, owner, seq)
    elif catalog.engine is Engine.MYSQL:
        for table in catalog.tables:
            counter = table.attrs.get("auto_increment")
            column = next((c for c in table.columns if c.autoincrement), None)
            if counter is None or column is None or (limit := column_max(column)) is None:
                continue
            # AUTO_INCREMENT is the next value to hand out; the last one used is one less.
            yield from _report(ctx, int(counter) - 1, limit, table.qualified_name, (table, column))


def _report(
    ctx: RuleContext,
    last: int,
    bound: int,
    counter: str,
    owner: tuple[Table, Column] | None,
    seq: Sequence | None = None,
) -> Iterator[Finding]:
    used = last / bound
    if used < ctx.option("warning_fraction"):
        return
    severity = Severity.ERROR if used >= ctx.option("error_fraction") else Severity.WARNING
    evidence = {
        "counter": counter,
        "last_value": last,
        "max_value": bound,
        "percent_used": round(100 * used, 2),
        "remaining_values": bound - last,
    }
    if owner is None:
        yield ctx.finding(
            f"Sequence {counter} has used {used:.0%} of its values.",
            fix="Raise the sequence's limit (instant; no table is rewritten).",
            sql=f"ALTER SEQUENCE {sequence_sql(ctx, seq)} AS bigint NO MAXVALUE;" if seq else None,
            evidence=evidence,
            severity=severity,
        )
        return
    table, column = owner
    evidence["column_type"] = column.raw_type
    name, col = ctx.table_name(table), ctx.ident(column.name)
    if ctx.engine is Engine.MYSQL:
        unsigned = " UNSIGNED" if is_unsigned(column) else ""
        sql = f"ALTER TABLE {name} MODIFY {col} BIGINT{unsigned} NOT NULL AUTO_INCREMENT;"
    else:
        sql = f"ALTER TABLE {name} ALTER COLUMN {col} TYPE bigint;"
        if seq is not None and not column.identity:
            # A serial's sequence is itself "AS integer"; an identity's follows the column's type.
            sql += f"\nALTER SEQUENCE {sequence_sql(ctx, seq)} AS bigint;"
    yield ctx.finding(
        f"{counter} feeding {table.qualified_name}.{column.name} has used {used:.0%} of its values "
        f"({bound - last:,} left).",
        table=table,
        column=column,
        fix="Widen the column (and the foreign keys referencing it) to bigint before the counter runs out.",
        sql=sql,
        evidence=evidence,
        severity=severity,
    )


RULE = Rule(
    name="sequence-near-max",
    category=Category.SAFETY,
    target=Target.CATALOG,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
    severity=Severity.WARNING,
    options={"warning_fraction": 0.5, "error_fraction": 0.75},
    needs_live=True,
    example_engine=Engine.POSTGRES,
)
