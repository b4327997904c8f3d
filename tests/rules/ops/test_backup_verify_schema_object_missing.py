"""backup-schema-object-missing: an index or constraint of the source is absent from the restore."""

from __future__ import annotations

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry

RULE = "backup-schema-object-missing"


def findings(*problems: BackupProblem) -> list[Finding]:
    return run_backup_rules(problems, [registry().get(RULE)])


def missing(engine: Engine = Engine.POSTGRES) -> BackupProblem:
    return BackupProblem(
        BackupProblemKind.SCHEMA_OBJECT_MISSING,
        "app.dump",
        engine,
        table="public.orders",
        subject="orders_customer_idx",
        subject_kind="index",
    )


def test_missing_index_is_reported_at_the_artifact_in_exact_mode():
    (found,) = findings(missing())
    assert found.message == (
        "index orders_customer_idx on public.orders is in the source but not in the restored backup"
    )
    assert (found.location.path, found.location.line, found.location.object) == ("app.dump", 1, "public.orders")
    assert found.table == "public.orders"
    assert found.mode is Mode.EXACT
    assert found.evidence["object"] == "orders_customer_idx" and found.evidence["kind"] == "index"
    assert "--data-only" in found.fix.description


def test_every_relational_engine_compares_schema_objects():
    for engine in (Engine.POSTGRES, Engine.MYSQL, Engine.SQLITE):
        assert findings(missing(engine))


def test_other_problems_do_not_fire():
    other = BackupProblem(BackupProblemKind.RESTORE_FAILED, "app.dump", Engine.POSTGRES, subject="pg_restore")
    assert not findings(other)
