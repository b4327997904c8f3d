"""backup-restore-failed: the restore program stopped with an error."""

from __future__ import annotations

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry

RULE = "backup-restore-failed"


def findings(*problems: BackupProblem) -> list[Finding]:
    return run_backup_rules(problems, [registry().get(RULE)])


def failed(engine: Engine, program: str, error: str) -> BackupProblem:
    return BackupProblem(BackupProblemKind.RESTORE_FAILED, "app.dump", engine, subject=program, detail=error)


def test_the_programs_error_is_the_message_and_the_evidence():
    error = "could not uncompress data: invalid stored block lengths"
    (found,) = findings(failed(Engine.POSTGRES, "pg_restore", error))
    assert found.message == f"the backup does not restore: pg_restore stopped with: {error}"
    assert found.evidence["program"] == "pg_restore" and found.evidence["error"] == error
    assert found.evidence["measured_by"] == "pg_restore into a scratch database, stopping at the first error"
    assert found.mode is Mode.EXACT and found.location.line == 1
    assert found.table is None


def test_mysql_restores_fail_too_but_sqlite_files_are_not_restored():
    assert findings(failed(Engine.MYSQL, "mysql", "ERROR 1064"))
    assert not findings(failed(Engine.SQLITE, "sqlite3", "x"))


def test_other_problems_do_not_fire():
    other = BackupProblem(BackupProblemKind.DUMP_TRUNCATED, "app.sql", Engine.MYSQL, subject="mysqldump", detail="-- Dump completed")
    assert not findings(other)
