"""backup verify / backup manifest on the local MariaDB 10.11 server, with real mariadb-dump files."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pymysql
import pytest

from dbexpert.api.backup_manifest import create_manifest, write_manifest
from dbexpert.api.backup_verify import verify_backup
from dbexpert.engines.mysql import scratch as my_scratch
from dbexpert.engines.url import parse_url
from dbexpert.model import InputError

STATEMENTS = [
    "CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE,"
    " joined TIMESTAMP NOT NULL DEFAULT '2024-01-01 00:00:00')",
    "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id INT NOT NULL, amount DECIMAL(10,2),"
    " note VARCHAR(64) NULL, ratio DOUBLE, payload VARBINARY(16),"
    " KEY orders_customer (customer_id), CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id)"
    " REFERENCES customers (id)) ENGINE=InnoDB",
    "INSERT INTO customers (id, email) SELECT seq, CONCAT('c', seq, '@example.com') FROM seq_1_to_300",
    "INSERT INTO orders SELECT seq, seq % 300 + 1, seq * 1.25, IF(seq % 7 = 0, NULL, MD5(seq)), seq / 3,"
    " UNHEX(MD5(seq)) FROM seq_1_to_3000",
]


def _connect(url: str) -> pymysql.connections.Connection:  # type: ignore[type-arg]
    parsed = parse_url(url)
    return pymysql.connect(
        host=parsed.host,
        port=parsed.port or 3306,
        user=parsed.user,
        password=parsed.password or "",
        database=parsed.database,
        autocommit=True,
    )


@pytest.fixture
def source(mysql_url: str) -> str:
    with _connect(mysql_url) as conn, conn.cursor() as cur:
        for statement in STATEMENTS:
            cur.execute(statement)
    return mysql_url


def dump(url: str, target: Path, *options: str) -> Path:
    parsed = parse_url(url)
    program = shutil.which("mariadb-dump") or shutil.which("mysqldump")
    if program is None:
        pytest.skip("no mariadb-dump/mysqldump")
    env = {**os.environ, "MYSQL_PWD": parsed.password or ""}
    with target.open("wb") as out:
        subprocess.run(
            [
                program,
                f"--host={parsed.host}",
                f"--port={parsed.port or 3306}",
                f"--user={parsed.user}",
                "--single-transaction",
                *options,
                *([] if "--databases" in options else [str(parsed.database)]),
            ],
            stdout=out,
            env=env,
            check=True,
        )
    return target


def _schemas(url: str) -> set[str]:
    with _connect(url) as conn, conn.cursor() as cur:
        cur.execute("SHOW DATABASES")
        return {row[0] for row in cur.fetchall()}


def test_intact_dump_passes_and_scratch_is_dropped(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names: list[str] = []
    original = my_scratch.scratch_name
    monkeypatch.setattr(my_scratch, "scratch_name", lambda: names.append(original()) or names[-1])
    artifact = dump(source, tmp_path / "db.sql")
    result = verify_backup(artifact, against=source)
    assert result.passed, result.findings
    assert {t.table: (t.status, t.restored_rows) for t in result.tables} == {
        "customers": ("pass", 300),
        "orders": ("pass", 3000),
    }
    assert "CHECK TABLE" in result.checks
    assert names and not set(names) & _schemas(source)


def test_truncated_dump_fails(source: str, tmp_path: Path) -> None:
    artifact = dump(source, tmp_path / "db.sql")
    cut = tmp_path / "cut.sql"
    data = artifact.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    result = verify_backup(cut, against=source)
    assert not result.passed
    rules = {f.rule for f in result.findings}
    assert {"backup-dump-truncated", "backup-restore-failed"} <= rules
    assert all(t.status == "fail" for t in result.tables)


def test_dump_cut_at_a_statement_boundary_is_caught_by_trailer_and_counts(
    source: str, tmp_path: Path
) -> None:
    artifact = dump(source, tmp_path / "db.sql", "--skip-extended-insert")
    lines = artifact.read_bytes().splitlines(keepends=True)
    last_insert = max(i for i, line in enumerate(lines) if line.startswith(b"INSERT INTO `orders`"))
    cut = tmp_path / "cut.sql"
    cut.write_bytes(b"".join(lines[: last_insert - 100]))  # every statement complete; the tail lost
    result = verify_backup(cut, against=source)
    assert not result.passed
    assert "backup-dump-truncated" in {f.rule for f in result.findings}
    orders = next(t for t in result.tables if t.table == "orders")
    assert orders.status == "fail" and orders.restored_rows is not None and orders.restored_rows < 3000


def test_manifest_catches_changed_content(source: str, tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    write_manifest(create_manifest(source), manifest)
    with _connect(source) as conn, conn.cursor() as cur:
        cur.execute("UPDATE orders SET note = NULL WHERE id = 8")  # NULL vs a value: same row count
    artifact = dump(source, tmp_path / "db.sql")
    result = verify_backup(artifact, manifest=manifest, scratch=source)
    orders = next(t for t in result.tables if t.table == "orders")
    assert orders.problems == ("same row count, different content",)
    assert next(t for t in result.tables if t.table == "customers").status == "pass"


def test_databases_dump_restores_into_scratch_not_the_source(source: str, tmp_path: Path) -> None:
    database = str(parse_url(source).database)
    artifact = dump(source, tmp_path / "db.sql", "--databases", database)
    assert b"USE `" in artifact.read_bytes()
    with _connect(source) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM orders WHERE id > 2990")  # the source now differs from the dump
    result = verify_backup(artifact, against=source)
    orders = next(t for t in result.tables if t.table == "orders")
    assert orders.problems == (
        "3000 rows restored, 2990 expected",
    )  # restored in scratch, not over the source
    with _connect(source) as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM orders")
        assert cur.fetchone()[0] == 2990


def test_dump_of_two_databases_is_refused(source: str, tmp_path: Path) -> None:
    dump_file = tmp_path / "two.sql"
    dump_file.write_text(
        "-- MariaDB dump 10.19\nUSE `a`;\nCREATE TABLE t (id int);\nUSE `b`;\n-- Dump completed\n"
    )
    with pytest.raises(InputError, match=r"two\.sql:4:1: expected a dump of one database"):
        verify_backup(dump_file, against=source)
