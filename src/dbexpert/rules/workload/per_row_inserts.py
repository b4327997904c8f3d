"""
## What it does
Finds rows inserted one statement at a time: one-row `INSERT`s of the same shape run again and
again in one request, transaction or session stretch. At least `min_rows` of them (5 by default)
are reported: a loop writing row by row where one multi-row statement would do.

## Why is this bad?
Every statement is a round trip, a parse and (outside a transaction) a commit with its own WAL
flush or redo log write. Inserting rows one by one is often ten to a hundred times slower than one
multi-row `INSERT … VALUES (…), (…)`, `COPY` (PostgreSQL) or a batched driver call, and holds locks
and the connection longer.

## Example
```json
{"trace_id": "import-7", "ts": 1705312800.000, "duration_ms": 0.6, "sql": "INSERT INTO order_items (order_id, sku, qty) VALUES (42, 'A-1', 1)"}
{"trace_id": "import-7", "ts": 1705312800.001, "duration_ms": 0.6, "sql": "INSERT INTO order_items (order_id, sku, qty) VALUES (42, 'A-2', 3)"}
{"trace_id": "import-7", "ts": 1705312800.002, "duration_ms": 0.6, "sql": "INSERT INTO order_items (order_id, sku, qty) VALUES (42, 'B-7', 1)"}
{"trace_id": "import-7", "ts": 1705312800.003, "duration_ms": 0.6, "sql": "INSERT INTO order_items (order_id, sku, qty) VALUES (42, 'C-3', 2)"}
{"trace_id": "import-7", "ts": 1705312800.004, "duration_ms": 0.6, "sql": "INSERT INTO order_items (order_id, sku, qty) VALUES (42, 'D-9', 5)"}
```

## Use instead
```json
{"trace_id": "import-7", "ts": 1705312800.000, "duration_ms": 0.9, "sql": "INSERT INTO order_items (order_id, sku, qty) VALUES (42, 'A-1', 1), (42, 'A-2', 3), (42, 'B-7', 1), (42, 'C-3', 2), (42, 'D-9', 5)"}
```

## Fix safety
Manual: one statement fails or succeeds as a whole, so a bad row aborts the batch (per-row inserts
could skip it); triggers and `RETURNING` still run per row.

## References
- https://www.postgresql.org/docs/current/populate.html
- https://dev.mysql.com/doc/refman/8.0/en/insert-optimization.html
- https://docs.sqlalchemy.org/en/20/core/connections.html#engine-insertmanyvalues
- https://docs.djangoproject.com/en/5.0/ref/models/querysets/#bulk-create
"""

from collections.abc import Iterator

from dbexpert.model import Category, Finding
from dbexpert.model.workload import RequestTrace
from dbexpert.rules.context import RuleContext
from dbexpert.rules.registry import RELATIONAL, Rule, Target
from dbexpert.rules.workload._requests import evidence, location, loops

_ORM = (
    "Send the rows together: a multi-row INSERT or COPY, the driver's batch call (psycopg "
    "`executemany`/`copy`, JDBC `addBatch`), SQLAlchemy `session.add_all()` with insertmanyvalues or "
    "`insert().values([...])`, Django `bulk_create()`, ActiveRecord `insert_all`, Prisma `createMany`, "
    "TypeORM `insert().values([...])`."
)


def check(trace: RequestTrace, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.batch import batch_insert  # sqlglot loads only when a workload is analysed

    for loop in loops(trace):
        if loop.verb() != "insert" or loop.count < ctx.option("min_rows") or " select " in loop.shape:
            continue
        batched = batch_insert(loop.queries[0].event.sql, trace.engine)
        if batched is None:  # already multi-row, or not a VALUES insert
            continue
        took = f" ({loop.total_ms:.1f} ms)" if loop.timed else ""
        yield ctx.finding(
            f"{trace.kind.capitalize()} {trace.key}: `{loop.shape}` inserted {loop.count} rows one statement "
            f"at a time{took}: insert them in one batch.",
            location=location(loop.queries[0]),
            fix=f"Insert the {loop.count} rows with one statement. {_ORM}",
            sql=batched + ";",
            evidence=evidence(trace, loop),
        )


RULE = Rule(
    name="per-row-inserts",
    category=Category.PERFORMANCE,
    target=Target.REQUEST,
    check=check,
    doc=__doc__,
    engines=RELATIONAL,
    options={"min_rows": 5},
    runs_option="min_rows",
)
