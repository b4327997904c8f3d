"""backup-table-content-differs: a restored table's rows differ from the source or the manifest."""

from __future__ import annotations

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind, TableSums
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry

RULE = "backup-table-content-differs"


def findings(*problems: BackupProblem) -> list[Finding]:
    return run_backup_rules(problems, [registry().get(RULE)])


def differs(detail: str, expected: TableSums | None, found: TableSums | None) -> BackupProblem:
    return BackupProblem(
        BackupProblemKind.TABLE_CONTENT_DIFFERS,
        "app.db",
        Engine.SQLITE,
        table="orders",
        detail=detail,
        expected=expected,
        found=found,
    )


def test_row_count_difference_carries_both_sides():
    (found,) = findings(differs("998 rows restored, 1000 expected", TableSums(1000, "17"), TableSums(998, "12")))
    assert found.message == "table orders: 998 rows restored, 1000 expected"
    assert found.mode is Mode.EXACT
    assert found.table == "orders" and found.location.object == "orders"
    assert {k: found.evidence[k] for k in ("expected_rows", "restored_rows", "expected_checksum", "restored_checksum")} == {
        "expected_rows": 1000,
        "restored_rows": 998,
        "expected_checksum": "17",
        "restored_checksum": "12",
    }
    assert "count(*)" in found.evidence["measured_by"]


def test_missing_table_has_no_restored_side():
    (found,) = findings(differs("missing from the restored backup", TableSums(3, "9"), None))
    assert found.evidence["restored_rows"] is None and found.evidence["expected_rows"] == 3


def test_other_problems_do_not_fire():
    other = BackupProblem(
        BackupProblemKind.INTEGRITY_CHECK_FAILED, "app.db", Engine.SQLITE, subject="PRAGMA integrity_check", details=("x",)
    )
    assert not findings(other)


def test_backup_verify_runs_the_rule_and_respects_ignore(tmp_path):
    """End to end on real SQLite files: a copy missing rows fires; --ignore (config) switches it off."""
    import sqlite3

    from dbexpert.api.backup_verify import verify_backup
    from dbexpert.api.config import Config

    source, copy = tmp_path / "source.db", tmp_path / "copy.db"
    for path, rows in ((source, 10), (copy, 8)):
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER)")
            conn.executemany("INSERT INTO orders VALUES (?, ?)", [(n, n * 3) for n in range(rows)])
        conn.close()
    result = verify_backup(copy, against=str(source))
    assert [f.rule for f in result.findings] == [RULE]
    assert result.findings[0].message == "table orders: 8 rows restored, 10 expected"
    assert [p.kind for p in result.problems] == [BackupProblemKind.TABLE_CONTENT_DIFFERS]
    ignored = verify_backup(copy, against=str(source), config=Config(ignore=(RULE,)))
    assert not ignored.findings and ignored.problems == result.problems
    assert ignored.report().extra["tables"][0]["status"] == "fail"  # the per-table result stays
