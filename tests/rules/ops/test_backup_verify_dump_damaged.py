"""backup-dump-damaged: a custom-format dump whose data blocks do not read."""

from __future__ import annotations

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry

RULE = "backup-dump-damaged"


def findings(*problems: BackupProblem) -> list[Finding]:
    return run_backup_rules(problems, [registry().get(RULE)])


def test_names_the_table_and_the_byte():
    problem = BackupProblem(
        BackupProblemKind.DUMP_DAMAGED,
        "nightly.dump",
        Engine.POSTGRES,
        table="public.orders",
        subject="the custom-format archive check",
        detail="invalid stored block lengths",
        offset=1048576,
    )
    (found,) = findings(problem)
    assert found.message == (
        "table public.orders: the custom-format archive check stopped at byte 1048576: invalid stored block lengths"
    )
    assert found.evidence["offset"] == 1048576
    assert found.mode is Mode.EXACT
    assert found.fix is not None and "Take the dump again" in found.fix.description


def test_other_problems_do_not_fire():
    other = BackupProblem(
        BackupProblemKind.RESTORE_FAILED, "nightly.dump", Engine.POSTGRES, subject="pg_restore", detail="x"
    )
    assert findings(other) == []
