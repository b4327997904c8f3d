"""backup-base-backup-damaged: a file of a base backup is missing or differs from backup_manifest."""

from __future__ import annotations

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry

RULE = "backup-base-backup-damaged"


def findings(*problems: BackupProblem) -> list[Finding]:
    return run_backup_rules(problems, [registry().get(RULE)])


def damaged(kind: BackupProblemKind = BackupProblemKind.BASE_BACKUP_DAMAGED) -> BackupProblem:
    return BackupProblem(
        kind,
        "/backups/base",
        Engine.POSTGRES,
        is_file=False,
        subject="base/16384/16390",
        detail="sha256 checksum differs from backup_manifest",
    )


def test_the_file_and_what_is_wrong_with_it():
    (found,) = findings(damaged())
    assert found.message == "base/16384/16390: sha256 checksum differs from backup_manifest"
    assert found.evidence["file"] == "base/16384/16390"
    assert (found.location.path, found.location.line) == ("/backups/base", None)
    assert "pg_basebackup" in found.fix.description
    assert found.mode is Mode.EXACT


def test_a_missing_wal_segment_is_another_rule():
    assert not findings(damaged(BackupProblemKind.WAL_SEGMENT_MISSING))


def test_a_wal_segment_that_does_not_replay_says_replay_found_it():
    problem = BackupProblem(
        BackupProblemKind.BASE_BACKUP_DAMAGED,
        "/backups/base",
        Engine.POSTGRES,
        is_file=False,
        subject="pg_wal/000000010000000000000002",
        detail="WAL replay stopped: incorrect resource manager data checksum in record at 0/2000028",
    )
    (found,) = findings(problem)
    assert found.evidence["file"] == "pg_wal/000000010000000000000002"
    assert found.evidence["measured_by"] == "WAL replay of the backup started as a server"
    assert findings(damaged())[0].evidence["measured_by"] == "backup_manifest sizes and checksums"
