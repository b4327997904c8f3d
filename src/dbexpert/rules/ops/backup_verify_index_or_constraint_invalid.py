"""
## What it does
Reports an index or constraint that is not valid after the backup is restored.

`dbexpert backup verify` restores the artifact into a scratch database and reads
`pg_index.indisvalid` and `pg_constraint.convalidated`. Objects already invalid in the source are
not reported.

## Why is this bad?
An invalid index is never used by the planner yet still maintained on every write; an unvalidated
constraint does not vouch for the rows already in the table. A restore that leaves them so is not
the database that was backed up: usually a `CREATE INDEX` or `ALTER TABLE ... ADD CONSTRAINT` of
the dump failed or was interrupted.

## Example
```text
$ dbexpert backup verify app.dump --against postgresql://localhost/app
note: FAIL: app.dump (pg_dump custom)
error   backup-index-or-constraint-invalid  index orders_pkey on public.orders is not valid after the restore  app.dump:1
```

## Use instead
```sql
-- after restoring: rebuild the index, validate the constraint, then verify again
REINDEX INDEX orders_pkey;
ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_fk;
```

## Fix safety
`REINDEX` locks writes to the table while it runs (`REINDEX ... CONCURRENTLY` does not);
`VALIDATE CONSTRAINT` fails when rows violate it, which then need fixing. Manual.

## References
- https://www.postgresql.org/docs/current/catalog-pg-index.html
- https://www.postgresql.org/docs/current/sql-reindex.html
- https://www.postgresql.org/docs/current/sql-altertable.html
"""

from collections.abc import Iterator

from dbexpert.model import Category, Engine, Finding
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.ops._backup_verify import verified
from dbexpert.rules.registry import Rule, Target


def check(problem: BackupProblem, ctx: RuleContext) -> Iterator[Finding]:
    if problem.kind is not BackupProblemKind.INDEX_OR_CONSTRAINT_INVALID:
        return
    if problem.subject_kind == "index":
        sql = f"REINDEX INDEX {problem.subject};"
    else:
        sql = f"ALTER TABLE {problem.table} VALIDATE CONSTRAINT {problem.subject};"
    yield verified(
        ctx,
        problem,
        f"{problem.subject_kind} {problem.subject} on {problem.table} is not valid after the restore",
        "Rebuild or validate it after restoring.",
        {
            "object": problem.subject,
            "kind": problem.subject_kind,
            "measured_by": "pg_index.indisvalid / pg_constraint.convalidated",
        },
        sql=sql,
    )


RULE = Rule(
    name="backup-index-or-constraint-invalid",
    category=Category.SAFETY,
    target=Target.BACKUP_PROBLEM,
    check=check,
    doc=__doc__,
    engines=frozenset({Engine.POSTGRES}),
    needs_live=True,  # observed by restoring the artifact: the tests build the problems
)
