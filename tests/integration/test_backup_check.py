"""``dbexpert backup check``: the recovery point stated from captured rows, then on the local
PostgreSQL 15 (archive_mode off here), MariaDB 10.11 (binary log off here) and SQLite files."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from dbexpert.api.backup_check import backup_check, build_postgres_snapshot, is_backup_rule, recovery_point
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json

# pg_settings / pg_stat_archiver rows as PostgreSQL 15 returns them for a server archiving with WAL-G.
PG_SERVER = {"server_version": "15.4 (Debian 15.4-1)", "server_version_num": 150004, "in_recovery": False}
PG_SETTINGS = [
    {"name": "wal_level", "value": "replica"},
    {"name": "archive_mode", "value": "on"},
    {"name": "archive_command", "value": "wal-g wal-push %p"},
    {"name": "archive_library", "value": ""},
    {"name": "archive_timeout", "value": "1min"},
]
ARCHIVER = {
    "archived_count": 120,
    "last_archived_wal": "000000010000000000000078",
    "last_archived_time": "2024-05-01T10:00:00+00:00",
    "failed_count": 0,
    "last_failed_wal": None,
    "last_failed_time": None,
    "seconds_since_archived": 42,
}


def pg_snapshot(settings=PG_SETTINGS, archiver=ARCHIVER, ready=0):  # noqa: ANN001, ANN201
    results = {"archiver": [archiver], "ready": [{"ready_files": ready}], "replication_slots": []}
    return build_postgres_snapshot(PG_SERVER, settings, results, {})


def test_postgres_rpo_with_archiving_is_the_archive_timeout():
    snapshot = pg_snapshot()
    assert snapshot.rows("archiver")[0]["ready_files"] == 0
    rpo = recovery_point(snapshot)
    assert rpo["continuous"] is True and rpo["seconds"] == 60 and rpo["backup_tool"] == "wal-g"
    assert "last segment archived 42 s ago" in rpo["recovery_point"]


def test_postgres_rpo_when_archiving_fails_is_the_age_of_the_last_archive():
    failing = {
        **ARCHIVER,
        "failed_count": 9,
        "last_failed_time": "2024-05-01T10:30:00+00:00",
        "seconds_since_archived": 1900,
    }
    rpo = recovery_point(pg_snapshot(archiver=failing))
    assert rpo["seconds"] == 1900 and "falling behind" in rpo["recovery_point"]


def test_postgres_rpo_without_timeout_is_unbounded_and_without_archive_is_the_last_full_backup():
    no_timeout = [*PG_SETTINGS[:4], {"name": "archive_timeout", "value": "0"}]
    assert recovery_point(pg_snapshot(settings=no_timeout))["seconds"] is None
    off = [{"name": "archive_mode", "value": "off"}, *PG_SETTINGS[2:]]
    rpo = recovery_point(pg_snapshot(settings=off))
    assert rpo["continuous"] is False and rpo["recovery_point"].startswith("the last full backup")


def test_mysql_rpo_is_the_last_binlog_copied_and_says_whether_a_crash_loses_commits():
    snapshot = snapshot_from_json(
        json.dumps(
            {
                "engine": "mysql",
                "version": "8.0.36",
                "settings": {
                    "log_bin": "ON",
                    "sync_binlog": "1",
                    "innodb_flush_log_at_trx_commit": "1",
                    "binlog_expire_logs_seconds": "604800",
                },
            }
        )  # fmt: skip
    )
    rpo = recovery_point(snapshot)
    assert rpo["continuous"] is True and rpo["crash_safe"] is True and rpo["binlog_retention_days"] == 7.0
    assert "loses no committed transaction" in rpo["recovery_point"]


def test_backup_check_runs_only_backup_rules():
    names = {r.name for r in registry() if is_backup_rule(r)}
    assert "backup-mysql-binlog-disabled" in names and "sqlite-journal-mode-not-wal" in names
    assert "mysql-slow-query-log-off" not in names and "sqlite-freelist-waste" not in names


def test_postgres_without_archiving(pg_url):
    result = backup_check(pg_url)
    assert [f.rule for f in result.findings] == ["backup-postgres-wal-archiving-off"]
    assert result.rpo["continuous"] is False and result.rpo["seconds"] is None
    assert result.rpo["measured"]["archive_mode"] == "off"
    assert result.rpo["measured"]["pg_stat_archiver"]["failed_count"] == 0
    assert result.report().notes[0].startswith("recovery point: the last full backup")


def test_mariadb_without_binary_log(mysql_url):
    result = backup_check(mysql_url)
    assert {f.rule for f in result.findings} >= {"backup-mysql-binlog-disabled"}
    assert not {f.rule for f in result.findings} & {"backup-mysql-gtid-off", "backup-mysql-binlog-not-row"}
    assert result.rpo["engine"] == "mariadb" and result.rpo["continuous"] is False
    assert result.rpo["measured"]["log_bin"] == "OFF"
    assert not any("performance_schema" in note for note in result.notes)


def make(path: Path, journal: str) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    conn.close()
    return path


def test_sqlite_wal_is_clean_and_rollback_journal_is_reported(tmp_path: Path):
    wal = backup_check(str(make(tmp_path / "wal.db", "WAL")))
    assert wal.findings == () and wal.rpo["measured"]["journal_mode"] == "wal"
    assert "-wal file" in wal.rpo["how_to_back_up"]
    rollback = backup_check(str(make(tmp_path / "rollback.db", "DELETE")))
    assert [f.rule for f in rollback.findings] == ["sqlite-journal-mode-not-wal"]
    assert "VACUUM INTO" in rollback.rpo["how_to_back_up"]


def test_cli_json_carries_the_rpo_and_the_exit_code(tmp_path: Path):
    path = make(tmp_path / "app.db", "DELETE")
    command = [sys.executable, "-m", "dbexpert", "backup", "check", str(path), "--format", "json"]
    done = subprocess.run([*command, "--fail-on", "warning"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert document["summary"]["command"] == "backup check"
    assert document["rpo"]["engine"] == "sqlite"
    assert [f["rule"] for f in document["findings"]] == ["sqlite-journal-mode-not-wal"]
    full = subprocess.run([*command, "--full-integrity-check"], capture_output=True, text=True, timeout=60)
    assert (
        full.returncode == 0
        and json.loads(full.stdout)["rpo"]["measured"]["integrity_check"] == "integrity_check"
    )
    missing = subprocess.run(
        [sys.executable, "-m", "dbexpert", "backup", "check", "mysql://root@127.0.0.1:1/x"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing.returncode == 3 and "Traceback" not in missing.stderr
