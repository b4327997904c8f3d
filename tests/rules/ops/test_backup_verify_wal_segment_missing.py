"""backup-wal-segment-missing: a WAL segment the base backup needs is absent."""

from __future__ import annotations

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry

RULE = "backup-wal-segment-missing"
SEGMENT = "000000010000000000000003"


def findings(*problems: BackupProblem) -> list[Finding]:
    return run_backup_rules(problems, [registry().get(RULE)])


def missing(kind: BackupProblemKind = BackupProblemKind.WAL_SEGMENT_MISSING) -> BackupProblem:
    return BackupProblem(
        kind,
        "/backups/base",
        Engine.POSTGRES,
        is_file=False,
        subject=f"pg_wal/{SEGMENT}",
        detail=f"WAL segment {SEGMENT} needed by the backup is missing from /backups/base/pg_wal",
    )


def test_the_segment_is_named_with_how_it_was_computed():
    (found,) = findings(missing())
    assert found.message == f"WAL segment {SEGMENT} needed by the backup is missing from /backups/base/pg_wal"
    assert found.evidence["segment"] == f"pg_wal/{SEGMENT}"
    assert "WAL-Ranges" in found.evidence["measured_by"]
    assert "-X stream" in found.fix.description and "--wal-dir" in found.fix.description
    assert found.mode is Mode.EXACT


def test_a_damaged_file_is_another_rule():
    assert not findings(missing(BackupProblemKind.BASE_BACKUP_DAMAGED))
