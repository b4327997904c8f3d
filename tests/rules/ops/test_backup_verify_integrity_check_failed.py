"""backup-integrity-check-failed: PRAGMA integrity_check or CHECK TABLE reports damage."""

from __future__ import annotations

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry

RULE = "backup-integrity-check-failed"


def findings(*problems: BackupProblem) -> list[Finding]:
    return run_backup_rules(problems, [registry().get(RULE)])


def damaged(engine: Engine, check: str, messages: tuple[str, ...], table: str | None = None) -> BackupProblem:
    return BackupProblem(
        BackupProblemKind.INTEGRITY_CHECK_FAILED, "app.db", engine, table=table, subject=check, details=messages
    )


def test_first_message_shown_the_rest_counted_and_kept_up_to_twenty():
    messages = tuple(f"row {n} missing from index i" for n in range(25))
    (found,) = findings(damaged(Engine.SQLITE, "PRAGMA integrity_check", messages))
    assert found.message == "PRAGMA integrity_check reports: row 0 missing from index i (and 24 more)"
    assert found.evidence["problems"] == list(messages[:20])
    assert found.evidence["check"] == found.evidence["measured_by"] == "PRAGMA integrity_check"
    assert found.mode is Mode.EXACT


def test_check_table_names_the_table():
    (found,) = findings(damaged(Engine.MYSQL, "CHECK TABLE", ("Corrupt",), table="orders"))
    assert found.message == "CHECK TABLE reports: Corrupt"
    assert found.table == "orders" and found.location.object == "orders"


def test_no_messages_or_another_kind_do_not_fire():
    assert not findings(damaged(Engine.SQLITE, "PRAGMA integrity_check", ()))
    other = BackupProblem(BackupProblemKind.TABLE_CONTENT_DIFFERS, "app.db", Engine.SQLITE, table="t", detail="x")
    assert not findings(other)


def test_a_postgres_table_whose_pages_do_not_read_is_named():
    check = "every row read by the started server (data checksums, page headers)"
    message = "invalid page in block 0 of relation base/16384/16390"
    (found,) = findings(damaged(Engine.POSTGRES, check, (message,), table="public.customers"))
    assert found.message == f"{check} reports: {message}"
    assert found.table == "public.customers"
