"""backup verify / backup manifest on real SQLite files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dbexpert.api.backup_manifest import create_manifest, load_manifest, write_manifest
from dbexpert.api.backup_verify import verify_backup
from dbexpert.cli.main import cli
from dbexpert.model import InputError

MARK = b"note-01234-unique-payload"


def _make_source(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL)")
    conn.execute("CREATE UNIQUE INDEX customers_email ON customers (email)")
    # ``note`` has no index: a changed byte in it leaves every b-tree consistent.
    conn.execute(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id),"
        " note TEXT, score REAL, raw BLOB)"
    )
    conn.executemany("INSERT INTO customers VALUES (?, ?)", [(i, f"c{i}@example.com") for i in range(1, 301)])
    conn.executemany(
        "INSERT INTO notes VALUES (?, ?, ?, ?, ?)",
        [
            (i, i % 300 + 1, f"note-{i:05d}-unique-payload", i / 7, bytes([i % 256]) * 3 if i % 5 else None)
            for i in range(1, 2001)
        ],
    )
    conn.commit()
    conn.close()


def _backup_copy(source: Path, target: Path) -> None:
    """What ``sqlite3 SOURCE '.backup TARGET'`` does: the online backup API."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    _make_source(path)
    return path


def test_intact_copy_passes_against_source_and_manifest(source: Path, tmp_path: Path) -> None:
    copy = tmp_path / "shop.backup"
    _backup_copy(source, copy)
    against = verify_backup(copy, against=str(source))
    assert against.passed, against.findings
    assert {t.table: t.status for t in against.tables} == {"customers": "pass", "notes": "pass"}
    assert {t.table: t.restored_rows for t in against.tables} == {"customers": 300, "notes": 2000}
    manifest = tmp_path / "m.json"
    write_manifest(create_manifest(str(source)), manifest)
    assert verify_backup(copy, manifest=manifest).passed


def test_flipped_byte_in_row_payload_passes_integrity_check_but_fails_comparison(
    source: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "shop.backup"
    _backup_copy(source, copy)
    data = bytearray(copy.read_bytes())
    at = data.index(MARK)
    data[at + 6] = ord("9")  # note-01234 -> note-01934: same length, same record header
    copy.write_bytes(bytes(data))

    # SQLite's own check sees nothing wrong ...
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    # ... so without a reference the copy looks fine ...
    alone = verify_backup(copy)
    assert alone.passed
    assert all(t.status == "restored" for t in alone.tables)
    # ... and only the content comparison catches it.
    result = verify_backup(copy, against=str(source))
    assert not result.passed
    assert [f.rule for f in result.findings] == ["backup-table-content-differs"]
    by_table = {t.table: t for t in result.tables}
    assert by_table["customers"].status == "pass"
    assert by_table["notes"].status == "fail"
    assert by_table["notes"].problems == ("same row count, different content",)
    assert by_table["notes"].restored_rows == by_table["notes"].expected_rows == 2000


def test_damaged_structure_fails_integrity_check(source: Path, tmp_path: Path) -> None:
    copy = tmp_path / "shop.backup"
    _backup_copy(source, copy)
    data = bytearray(copy.read_bytes())
    data[data.index(b"c150@example.com")] = ord("z")  # the table row no longer matches the unique index
    copy.write_bytes(bytes(data))
    result = verify_backup(copy, against=str(source))
    assert not result.passed
    assert result.findings[0].rule == "backup-integrity-check-failed"


def test_deleted_rows_are_reported_per_table(source: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    write_manifest(create_manifest(str(source)), manifest)
    conn = sqlite3.connect(source)
    conn.execute("DELETE FROM notes WHERE id > 1990")
    conn.commit()
    conn.close()
    result = verify_backup(source, manifest=manifest)
    notes = next(t for t in result.tables if t.table == "notes")
    assert notes.problems == ("1990 rows restored, 2000 expected",)
    assert result.findings[0].evidence["expected_rows"] == 2000


def test_manifest_file_shape(source: Path, tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    write_manifest(create_manifest(str(source)), path)
    data = json.loads(path.read_text())
    assert data["format"] == "dbexpert-backup-manifest"
    assert data["engine"] == "sqlite"
    assert {t["table"] for t in data["tables"]} == {"customers", "notes"}
    assert {"table": "customers", "name": "customers_email", "kind": "index", "valid": True} in data[
        "objects"
    ]
    assert load_manifest(path).table("notes").rows == 2000  # type: ignore[union-attr]


def test_bad_manifest_and_artifact_raise_input_error_with_location(tmp_path: Path, source: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "dbexpert-backup-manifest",\n  "version": 1,\n  "tables": [')
    with pytest.raises(InputError, match=r"broken\.json:3:\d+: expected a dbexpert backup manifest"):
        load_manifest(broken)
    foreign = tmp_path / "foreign.json"
    foreign.write_text("[1, 2]")
    with pytest.raises(InputError, match=r"foreign\.json:1:1:"):
        verify_backup(source, manifest=foreign)
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(InputError, match=r"notes\.txt:1:1: expected a backup artifact"):
        verify_backup(text)


def test_truncated_sqlite_file_fails(source: Path, tmp_path: Path) -> None:
    copy = tmp_path / "cut.db"
    data = source.read_bytes()
    copy.write_bytes(data[: len(data) // 2])
    result = verify_backup(copy, against=str(source))
    assert not result.passed
    assert result.findings[0].rule == "backup-integrity-check-failed"


def test_cli_exit_codes_and_json_tables(source: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    manifest = tmp_path / "m.json"
    made = runner.invoke(cli, ["backup", "manifest", str(source), "-o", str(manifest)])
    assert made.exit_code == 0, made.output
    assert "2 tables, 2300 rows" in made.output
    ok = runner.invoke(cli, ["backup", "verify", str(source), "--manifest", str(manifest), "-f", "json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.output)
    assert report["result"] == "pass"
    assert [t["status"] for t in report["tables"]] == ["pass", "pass"]
    conn = sqlite3.connect(source)
    conn.execute("UPDATE customers SET email = 'x' || email WHERE id = 7")
    conn.commit()
    conn.close()
    failed = runner.invoke(cli, ["backup", "verify", str(source), "--manifest", str(manifest)])
    assert failed.exit_code == 1
    assert "table customers: fail" in failed.output
