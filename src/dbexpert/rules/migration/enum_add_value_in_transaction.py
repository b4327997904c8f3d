"""
## What it does
Finds `ALTER TYPE` `ADD VALUE` inside a transaction block on PostgreSQL older than 12.

On PostgreSQL 12 and later the statement runs in a transaction; the new label just cannot be used
before that transaction commits. This rule only fires for the versions where the statement fails.

## Why is this bad?
Before PostgreSQL 12, `ALTER TYPE ... ADD VALUE cannot run inside a transaction block`: the
migration fails on deploy — and migration tools that wrap each migration in a transaction (Alembic,
Django, Rails, TypeORM by default) always run it inside one.

## Example
```sql
BEGIN;
ALTER TYPE order_state ADD VALUE 'refunded';
COMMIT;
```

## Use instead
```sql
ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'refunded';
```
Run it outside any transaction, in a migration of its own: Alembic
`with op.get_context().autocommit_block():`; Django a migration with `atomic = False`; TypeORM
`transaction = false` on the migration; Prisma and Drizzle: a migration file holding only this
statement (and check how your version wraps it). `IF NOT EXISTS` makes a retry harmless.

## Fix safety
Safe: the same label is added; outside a transaction it cannot be rolled back with the rest of the
migration, so `IF NOT EXISTS` keeps a re-run from failing.

## References
- https://www.postgresql.org/docs/11/sql-altertype.html
- https://www.postgresql.org/docs/release/12.0/
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl
from dbexpert.sql.quote import quote_literal


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    version = step.version or ctx.version
    if not step.in_transaction or version is None or version >= facts.ENUM_ADD_VALUE_IN_TRANSACTION_PG:
        return
    for action in step.actions:
        if not isinstance(action, ddl.AddEnumValue):
            continue
        enum = facts.table_sql(ctx, step, action.name)
        place = ""
        if action.neighbor is not None:
            place = f" {'AFTER' if action.after else 'BEFORE'} {quote_literal(action.neighbor)}"
        yield ctx.finding(
            f"ALTER TYPE {action.name.name} ADD VALUE cannot run inside a transaction block on "
            f"PostgreSQL {version} (before 12): the migration fails.",
            location=step.location.with_object(step.object_path(action.name)),
            fix="Run ADD VALUE outside any transaction, in a migration of its own.",
            sql=f"ALTER TYPE {enum} ADD VALUE IF NOT EXISTS {quote_literal(action.value)}{place};",
            applicability=Applicability.SAFE,
            evidence={
                "in_transaction": True,
                "explicit_transaction": step.explicit_transaction,
                "pg_version": str(version),
                "allowed_in_transaction_from": str(facts.ENUM_ADD_VALUE_IN_TRANSACTION_PG),
            },
        )


RULE = Rule(
    name="enum-add-value-in-transaction",
    category=Category.CORRECTNESS,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AddEnumValue,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    min_version={Engine.POSTGRES: facts.OLDEST_PG},
)
