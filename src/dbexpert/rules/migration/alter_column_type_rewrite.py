"""
## What it does
Finds `ALTER COLUMN` `TYPE` changes that make PostgreSQL rewrite the table and rebuild its indexes.

`int` -> `bigint`, `timestamp` -> `timestamptz` (unless the session TimeZone is UTC, PostgreSQL 12+),
a shorter `varchar(n)`, `text` -> `varchar(n)`, a change of `numeric` scale, `char(n)` -> `text`,
or any `USING` expression other than a plain cast of the column. Changes that only relabel the
column are not flagged: a longer `varchar(n)`, `varchar` -> `text`, `numeric(p,s)` -> `numeric(p2>=p,s)`
or unconstrained `numeric`, `cidr` -> `inet`, `xml` -> `text`. When the migrations read never
defined the column, only targets that cannot be a widening (`integer`, `bigint`, `timestamptz`,
`uuid`, `jsonb`, ...) are flagged. MySQL column changes are covered by `mysql-alter-copies-table`.

## Why is this bad?
The rewrite holds an ACCESS EXCLUSIVE lock from start to end: every read and write of the table
waits while each row is converted and every index rebuilt — minutes to hours on a large table.

## Example
```sql
ALTER TABLE users ALTER COLUMN score TYPE bigint;
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN score_new bigint;
CREATE FUNCTION users_score_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.score_new := NEW.score;
  RETURN NEW;
END $$;
CREATE TRIGGER users_score_sync BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_score_sync();
-- then, outside the migration, in batches committing each:
-- UPDATE users SET score_new = score WHERE id > :last_id AND id <= :last_id + 10000;
-- and in a later migration, in one short transaction with a lock_timeout:
-- ALTER TABLE users RENAME COLUMN score TO score_old; ALTER TABLE users RENAME COLUMN score_new TO score;
```
For `timestamp` -> `timestamptz` on PostgreSQL 12+, when the stored values are UTC, run
`SET TimeZone = 'UTC';` first in the same session: the change is then metadata-only. Alembic:
`op.add_column` plus `op.execute()` for the trigger, a batched backfill, `op.alter_column(new_column_name=...)`
later; Django: a new field, `RunSQL` for the trigger, a batched `RunPython`, then `RenameField`
with `SeparateDatabaseAndState`; Prisma/Drizzle: edit the generated SQL; TypeORM:
`queryRunner.query()` per statement.

## Fix safety
Unsafe to apply blindly: the swap renames columns (views, functions and ORM mappings must follow)
and indexes, constraints and defaults must be recreated on the new column.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
- https://www.postgresql.org/docs/release/12.0/
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding, Version
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        if not isinstance(action, ddl.AlterColumnType) or step.is_new(action.table):
            continue
        table = step.table(action.table)
        column = table.column(action.column) if table is not None else None
        new = facts.pg_type(action.raw_type)
        utc = facts.utc_session(step)
        version = step.version or ctx.version
        old = facts.pg_type(column.raw_type) if column is not None else None
        if action.using is not None and not facts.plain_cast(action.using, action.column, new):
            reason = f"USING {action.using} recomputes every row"
        elif old is not None and not facts.relabel_only(old, new, utc, version):
            reason = f"{column.raw_type if column else ''} -> {action.raw_type} is not binary-coercible"
        elif old is None and new.name in facts.REWRITE_TARGETS and not _utc_timestamptz(new, utc, version):
            reason = f"a change to {action.raw_type} is never a mere relabel"
        else:
            continue
        timestamps = new.name == "timestamptz" and (old is None or old.name == "timestamp")
        yield ctx.finding(
            f"ALTER COLUMN {action.column} TYPE {action.raw_type} rewrites {action.table.name} and rebuilds "
            f"its indexes under an ACCESS EXCLUSIVE lock ({reason}).",
            location=step.location.with_object(f"{step.object_path(action.table)}.{action.column}"),
            fix=(
                "Add a new column, keep it in step with a trigger, backfill in batches, then swap the names"
                + (
                    "; or, if the stored timestamps are UTC, SET TimeZone = 'UTC' first (PostgreSQL 12+)."
                    if timestamps
                    else "."
                )
            ),
            sql=_expand_contract(ctx, step, action),
            applicability=Applicability.UNSAFE,
            evidence={
                "lock": "ACCESS EXCLUSIVE",
                "blocks": "all reads and writes",
                "rewrite": True,
                "old_type": column.raw_type
                if column is not None
                else "unknown (column not defined in the files read)",
                "new_type": action.raw_type,
                "using": action.using,
                "session_timezone_utc": utc,
                "in_transaction": step.in_transaction,
            },
        )


def _utc_timestamptz(new: facts.PgType, utc: bool, version: Version | None) -> bool:
    modern = version is None or version >= facts.TIMESTAMPTZ_UTC_NO_REWRITE_PG
    return new.name == "timestamptz" and utc and modern


def _expand_contract(ctx: RuleContext, step: MigrationStep, action: ddl.AlterColumnType) -> str:
    table = facts.table_sql(ctx, step, action.table)
    col = ctx.ident(action.column)
    new_col = ctx.ident(f"{action.column}_new")
    old_col = ctx.ident(f"{action.column}_old")
    function = ctx.ident(f"{action.table.name}_{action.column}_sync")
    value = f"(SELECT {action.using} FROM (SELECT NEW.*) AS row)" if action.using else f"NEW.{col}"
    return "\n".join(
        [
            f"ALTER TABLE {table} ADD COLUMN {new_col} {action.raw_type};",
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  NEW.{new_col} := {value};\n  RETURN NEW;\nEND $$;",
            f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {table}\n"
            f"  FOR EACH ROW EXECUTE FUNCTION {function}();",
            facts.batched(ctx, step, action.table, f"{new_col} = {action.using or col}", ""),
            "-- later, once backfilled (recreate indexes and constraints on the new column first):",
            facts.lock_timeout_sql(step.engine),
            f"ALTER TABLE {table} RENAME COLUMN {col} TO {old_col};",
            f"ALTER TABLE {table} RENAME COLUMN {new_col} TO {col};",
            f"DROP TRIGGER {function} ON {table};",
        ]
    )


RULE = Rule(
    name="alter-column-type-rewrite",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.AlterColumnType,),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    aliases=("alter-column-type",),
)
