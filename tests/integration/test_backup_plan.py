"""``dbexpert backup plan``: the disaster-recovery plan written from the local PostgreSQL 15
(archive_mode off here), MariaDB 10.11 (binary log off here) and SQLite files, its RTO from a real
``backup verify`` report, and the runbook chosen from captured archiving settings."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from dbexpert.api.backup_check import BackupCheckResult, build_postgres_snapshot, recovery_point
from dbexpert.api.backup_plan import GB, backup_plan, build_plan, load_verified
from dbexpert.cli.main import cli, main
from dbexpert.engines.postgres.restore import client_env, find_program
from dbexpert.engines.url import parse_url
from dbexpert.model import InputError
from dbexpert.sources.health import snapshot_from_json

DATA = """
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10, 2));
INSERT INTO items SELECT g, 'item ' || g, g * 0.5 FROM generate_series(1, 20000) g;
"""


@pytest.fixture
def source(pg_url: str) -> str:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(DATA)
    return pg_url


def test_postgres_plan_says_archiving_is_off_and_lists_it_as_a_gap(source: str) -> None:
    plan = backup_plan(source)
    text = plan.markdown()
    database = parse_url(source).database
    assert plan.database == database and plan.database_bytes and plan.database_bytes > 1_000_000
    assert "WAL archiving: OFF — archive_mode = off" in text
    assert [f.rule for f in plan.gaps] == ["backup-postgres-wal-archiving-off"]
    assert "ALTER SYSTEM SET archive_mode = 'on';" in text  # the gap's fix
    assert "Point-in-time recovery: not possible today" in text
    assert plan.rpo["continuous"] is False and plan.rto["seconds"] is None
    assert (
        "RTO unknown: run backup verify" in text
        and f"dbexpert backup verify BACKUP --against {source}" in text
    )
    # the runbook is this database's: dump and restore by name, PITR settings filled in
    assert f"pg_dump -Fc -f {database}-$(date +%F).dump {database}" in text
    assert f"pg_restore --exit-on-error -j 4 -d {database}_restored" in text
    for word in (
        "restore_command = ",
        "recovery_target_time = '$TARGET_TIME'",
        "recovery.signal",
        "pg_promote()",
    ):
        assert word in text
    document = json.loads(plan.to_json())
    assert document["gaps"][0]["rule"] == "backup-postgres-wal-archiving-off"
    assert document["gaps"][0]["fix"]["sql"].startswith("ALTER SYSTEM SET wal_level")
    assert document["database_bytes"] == plan.database_bytes and document["rto"]["seconds"] is None


def test_verify_report_gives_the_rto_and_no_password_is_printed(source: str, tmp_path: Path) -> None:
    # The local server trusts 127.0.0.1, so a URL with any password connects: it must never be echoed.
    secret = source.replace("postgres@", "postgres:hunter2secret@")
    dump = tmp_path / "db.dump"
    subprocess.run(
        [find_program("pg_dump"), "-Fc", "-f", str(dump)], env=client_env(parse_url(source)), check=True
    )
    runner = CliRunner()
    verified = runner.invoke(
        cli,
        ["backup", "verify", str(dump), "--against", secret, "-f", "json", "-o", str(tmp_path / "v.json")],
    )
    assert verified.exit_code == 0, verified.output
    report = load_verified(tmp_path / "v.json")
    assert report.passed and report.seconds_per_gb and report.restored_bytes

    result = runner.invoke(
        cli, ["backup", "plan", secret, "--verified", str(tmp_path / "v.json"), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    expected = report.seconds_per_gb * plan["database_bytes"] / GB
    assert plan["rto"]["seconds"] == pytest.approx(expected, abs=0.1)
    assert plan["rto"]["from_report"] == str(tmp_path / "v.json")
    assert plan["verified"][0]["result"] == "pass"

    written = runner.invoke(
        cli,
        ["backup", "plan", secret, "--verified", str(tmp_path / "v.json"), "-o", str(tmp_path / "plan.md")],
    )
    assert written.exit_code == 0, written.output
    markdown = (tmp_path / "plan.md").read_text()
    assert "s per GB (the slowest passing `backup verify` restore" in markdown
    assert "PGPASSWORD" in markdown
    for text in (result.output, written.output, markdown):
        assert "hunter2secret" not in text


def test_failed_verification_does_not_count_and_bad_reports_are_input_errors(tmp_path: Path) -> None:
    failed = tmp_path / "failed.json"
    failed.write_text(json.dumps({"summary": {"command": "backup verify", "engine": "postgres", "result": "fail",
                                              "restore_seconds": 1.0, "restored_bytes": 1000}}))  # fmt: skip
    assert load_verified(failed).passed is False
    truncated = tmp_path / "cut.json"
    truncated.write_text('{"summary": {"command": "backup verify",\n "result"')
    with pytest.raises(InputError, match=rf"^{truncated}:2:10: expected a JSON report"):
        load_verified(truncated)
    foreign = tmp_path / "check.json"
    foreign.write_text(json.dumps({"summary": {"command": "backup check"}}))
    with pytest.raises(InputError, match=rf"^{foreign}:1:1: expected the JSON report"):
        load_verified(foreign)
    with pytest.raises(SystemExit) as bad:  # the report is read before any connection is tried
        main(["backup", "plan", "postgresql://u:pw@127.0.0.1:1/x", "--verified", str(foreign)])
    assert bad.value.code == 2


def test_mariadb_plan_without_binary_log(mysql_url: str) -> None:
    plan = backup_plan(mysql_url)
    text = plan.markdown()
    database = parse_url(mysql_url).database
    assert plan.engine.startswith("mariadb") and plan.database == database
    assert "Binary log: OFF" in text and "backup-mysql-binlog-disabled" in {f.rule for f in plan.gaps}
    assert "log_bin = mysql-bin" in text  # the gap's fix
    assert "Point-in-time recovery: not possible today (log_bin = OFF)" in text
    assert f"mariadb-dump --single-transaction --routines --triggers --events --databases {database}" in text
    assert "--master-data" not in text  # refused by the server without a binary log
    assert "password=...  # typed here" in text and "RTO unknown: run backup verify" in text


def test_sqlite_plan(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    conn.close()  # rollback journal: a gap
    plan = backup_plan(str(path))
    text = plan.markdown()
    assert [f.rule for f in plan.gaps] == ["sqlite-journal-mode-not-wal"]
    assert plan.database_bytes == path.stat().st_size
    assert f"sqlite3 {path} \".backup '/backups/shop-$(date +%F).db'\"" in text
    assert "VACUUM INTO" in text and "no point-in-time recovery" in text
    assert f"cp /backups/shop-YYYY-MM-DD.db {path}" in text


# ------------------------------------------------------------- runbooks chosen by the archiving settings

PG_SERVER = {"server_version": "15.4", "server_version_num": 150004, "in_recovery": False}
ARCHIVER = {"archived_count": 12, "last_archived_wal": "00000001000000000000000C", "failed_count": 0,
            "last_archived_time": "2026-05-01T10:00:00+00:00", "last_failed_time": None, "seconds_since_archived": 5}  # fmt: skip


def plan_for(command: str) -> str:
    settings = [
        {"name": "wal_level", "value": "replica"},
        {"name": "archive_mode", "value": "on"},
        {"name": "archive_command", "value": command},
        {"name": "archive_library", "value": ""},
        {"name": "archive_timeout", "value": "60"},
    ]
    snapshot = build_postgres_snapshot(
        PG_SERVER, settings, {"archiver": [ARCHIVER], "replication_slots": []}, {}
    )
    check = BackupCheckResult(
        findings=(), target="", engine="postgres 15.4", rpo=recovery_point(snapshot), snapshot=snapshot
    )
    facts = {"database": "shop", "database_bytes": 2 * GB, "now_utc": "2026-05-01 10:00:05+00",
             "data_directory": "/var/lib/postgresql/15/main", "standbys": [], "unavailable": {}}  # fmt: skip
    return build_plan(parse_url("postgresql://app@db/shop"), check, facts, ()).markdown()


def test_pgbackrest_wal_g_and_plain_copy_runbooks() -> None:
    backrest = plan_for("pgbackrest --stanza=shop archive-push %p")
    assert (
        'pgbackrest --stanza=shop --type=time "--target=$TARGET_TIME" --target-action=pause restore'
        in backrest
    )
    assert "Backup tool named by the archiving settings: pgbackrest" in backrest
    walg = plan_for("wal-g wal-push %p")
    assert "wal-g backup-fetch /var/lib/postgresql/15/main LATEST" in walg
    assert "restore_command = 'wal-g wal-fetch %f %p'" in walg
    plain = plan_for("test ! -f /mnt/wal/%f && cp %p /mnt/wal/%f")
    assert "restore_command = 'cp /mnt/wal/%f %p'" in plain
    assert "TARGET_TIME='2026-05-01 10:00:05+00'" in plain and "not possible today" not in plain
    barman = plan_for("barman-wal-archive backup1 shop-db %p")
    assert "barman recover" in barman and "shop-db latest /var/lib/postgresql/15/main" in barman


def test_mysql_runbook_with_binary_log_replays_from_the_dump_coordinates() -> None:
    # Rows as MySQL 8.0 reports them with the binary log on (no such server here: written from the manual).
    snapshot = snapshot_from_json(json.dumps({"engine": "mysql", "version": "8.0.36", "settings": {
        "log_bin": "ON", "binlog_format": "ROW", "sync_binlog": "1", "innodb_flush_log_at_trx_commit": "1",
        "gtid_mode": "ON", "binlog_expire_logs_seconds": "604800"}}))  # fmt: skip
    check = BackupCheckResult(
        findings=(), target="", engine="mysql 8.0.36", rpo=recovery_point(snapshot), snapshot=snapshot
    )
    facts = {"database": "shop", "database_bytes": GB, "now_utc": "2026-05-01 10:00:05", "unavailable": {},
             "binlog_status": {"File": "binlog.000042", "Position": 157}}  # fmt: skip
    text = build_plan(parse_url("mysql://app:secret@db/shop"), check, facts, ()).markdown()
    assert (
        "mysqldump --single-transaction --routines --triggers --events --source-data=2 --databases shop"
        in text
    )
    assert "Current binary log position: binlog.000042:157" in text and "GTID: ON" in text
    assert "mysqlbinlog --read-from-remote-server --host=db --raw --stop-never" in text
    assert (
        'TZ=UTC mysqlbinlog --start-position=START_POS --stop-datetime="$STOP_TIME" --database=shop' in text
    )
    assert "--rewrite-db='shop->shop_restored' $FILES | mysql shop_restored" in text
    assert "ls /backups/binlog/binlog.[0-9]*" in text and "secret" not in text
