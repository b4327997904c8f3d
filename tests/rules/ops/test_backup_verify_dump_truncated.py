"""backup-dump-truncated: a plain dump without its tool's closing comment."""

from __future__ import annotations

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry

RULE = "backup-dump-truncated"


def findings(*problems: BackupProblem) -> list[Finding]:
    return run_backup_rules(problems, [registry().get(RULE)])


def truncated(engine: Engine, tool: str, trailer: str) -> BackupProblem:
    return BackupProblem(
        BackupProblemKind.DUMP_TRUNCATED, "app.sql", engine, subject=tool, detail=trailer, size_bytes=4096
    )


def test_mysqldump_without_its_trailer():
    (found,) = findings(truncated(Engine.MYSQL, "mysqldump", "-- Dump completed"))
    assert found.message == (
        "the dump does not end with mysqldump's closing comment '-- Dump completed': it was cut short"
    )
    assert found.evidence["size_bytes"] == 4096
    assert found.evidence["expected_trailer"] == "-- Dump completed"
    assert "mysqldump's exit status" in found.fix.description
    assert found.mode is Mode.EXACT


def test_pg_dump_plain_names_its_own_trailer():
    (found,) = findings(truncated(Engine.POSTGRES, "pg_dump", "-- PostgreSQL database dump complete"))
    assert "pg_dump's closing comment '-- PostgreSQL database dump complete'" in found.message


def test_other_problems_do_not_fire():
    other = BackupProblem(BackupProblemKind.RESTORE_FAILED, "app.sql", Engine.MYSQL, subject="mysql", detail="x")
    assert not findings(other)
