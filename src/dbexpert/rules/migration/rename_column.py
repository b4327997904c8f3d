"""
## What it does
Finds a column renamed on an existing table (`RENAME COLUMN`, or MySQL `CHANGE old new ...`).

Columns added and tables created earlier in the same migration are exempt: no running code uses them.

## Why is this bad?
The code running while the migration is applied — and every instance not yet redeployed — still
reads and writes the old name: its queries fail with "column does not exist" until the new code is
everywhere. A deploy cannot switch the schema and all application instances at the same instant.

## Example
```sql
ALTER TABLE users RENAME COLUMN nickname TO display_name;
```

## Use instead
Expand and contract over several deploys: add the new column, keep both in step, move readers,
then drop the old one.
```sql
ALTER TABLE users ADD COLUMN display_name varchar(40);
CREATE FUNCTION users_display_name_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.display_name := COALESCE(NEW.display_name, NEW.nickname);
  NEW.nickname := COALESCE(NEW.nickname, NEW.display_name);
  RETURN NEW;
END $$;
CREATE TRIGGER users_display_name_sync BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_display_name_sync();
-- backfill in batches, switch the code to display_name, and drop nickname in a later release.
```
Or keep the database name and rename only in code: Django `db_column="nickname"`, SQLAlchemy
`Column("nickname", key="display_name")` in Alembic projects, Prisma `@map("nickname")`, Drizzle
`text("nickname")` under the new property name, TypeORM `@Column({ name: "nickname" })`.

## Fix safety
Unsafe to apply blindly: several deploys, a trigger (MySQL: dual writes in code), and a later
migration that drops the old column.

## References
- https://www.postgresql.org/docs/current/sql-altertable.html
- https://www.prisma.io/docs/guides/data-migration
- https://martinfowler.com/bliki/ParallelChange.html
"""

from collections.abc import Iterator

from dbexpert.model import Applicability, Category, Engine, Finding
from dbexpert.rules.context import RuleContext
from dbexpert.rules.migration import _facts as facts
from dbexpert.rules.registry import Rule, Target
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


def check(step: MigrationStep, ctx: RuleContext) -> Iterator[Finding]:
    for action in step.actions:
        match action:
            case ddl.RenameColumn(table=name, old_name=old, new_name=new):
                raw_type = _raw_type(step, name, old)
            case ddl.ReplaceColumn(table=name, old_name=old, column=spec) if old.lower() != spec.name.lower():
                new, raw_type = spec.name, spec.raw_type
            case _:
                continue
        if step.is_new(name) or step.column_added_here(name, old):
            continue
        table = facts.table_sql(ctx, step, name)
        add = f"ALTER TABLE {table} ADD COLUMN {ctx.ident(new)} {raw_type or '<type of ' + old + '>'};"
        sync = facts.batched(
            ctx, step, name, f"{ctx.ident(new)} = {ctx.ident(old)}", f"{ctx.ident(new)} IS NULL"
        )
        yield ctx.finding(
            f"Renaming {name.name}.{old} to {new} breaks the running code that still uses {old}.",
            location=step.location.with_object(f"{step.object_path(name)}.{old}"),
            fix=(
                f"Expand and contract: add {new}, write both (a trigger or the code), backfill, move readers "
                f"to {new}, drop {old} in a later release; or rename only in the ORM mapping."
            ),
            sql=f"{add}\n{sync}",
            applicability=Applicability.MANUAL,
            evidence={"breaks": "queries naming the old column", "old": old, "new": new, "rewrite": False},
        )


def _raw_type(step: MigrationStep, name: ddl.Name, column: str) -> str | None:
    table = step.table(name)
    found = table.column(column) if table is not None else None
    return found.raw_type if found is not None else None


RULE = Rule(
    name="rename-column",
    category=Category.SAFETY,
    target=Target.STATEMENT,
    check=check,
    actions=(ddl.RenameColumn, ddl.ReplaceColumn),
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES, Engine.MYSQL}),
)
