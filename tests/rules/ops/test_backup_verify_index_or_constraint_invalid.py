"""backup-index-or-constraint-invalid: the restore left an index or constraint invalid."""

from __future__ import annotations

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry

RULE = "backup-index-or-constraint-invalid"


def findings(*problems: BackupProblem) -> list[Finding]:
    return run_backup_rules(problems, [registry().get(RULE)])


def invalid(kind: str, name: str, engine: Engine = Engine.POSTGRES) -> BackupProblem:
    return BackupProblem(
        BackupProblemKind.INDEX_OR_CONSTRAINT_INVALID,
        "dump_dir",
        engine,
        is_file=False,
        table="public.orders",
        subject=name,
        subject_kind=kind,
    )


def test_invalid_index_gets_reindex():
    (found,) = findings(invalid("index", "orders_pkey"))
    assert found.message == "index orders_pkey on public.orders is not valid after the restore"
    assert found.fix.sql == "REINDEX INDEX orders_pkey;"
    assert found.mode is Mode.EXACT
    assert found.location.line is None  # a -Fd directory has no line
    assert found.evidence["measured_by"] == "pg_index.indisvalid / pg_constraint.convalidated"


def test_unvalidated_constraint_gets_validate_constraint():
    (found,) = findings(invalid("constraint", "orders_customer_fk"))
    assert found.fix.sql == "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_fk;"


def test_only_postgres_and_only_its_kind():
    assert not findings(invalid("index", "orders_pkey", Engine.MYSQL))
    other = BackupProblem(
        BackupProblemKind.SCHEMA_OBJECT_MISSING, "app.dump", Engine.POSTGRES, table="t", subject="i", subject_kind="index"
    )
    assert not findings(other)
