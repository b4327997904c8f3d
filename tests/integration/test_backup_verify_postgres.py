"""backup verify / backup manifest on the local PostgreSQL 15 server, with real pg_dump artifacts."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from dbexpert.api.backup_manifest import create_manifest, write_manifest
from dbexpert.api.backup_verify import verify_backup
from dbexpert.cli.main import cli
from dbexpert.engines.postgres import restore as pg_restore_module
from dbexpert.engines.postgres import scratch as pg_scratch
from dbexpert.engines.postgres.restore import client_env, find_program
from dbexpert.engines.url import parse_url

SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, joined timestamptz NOT NULL);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers (id),
    amount numeric(10, 2) CHECK (amount >= 0),
    note text,
    ratio double precision,
    payload bytea
);
CREATE INDEX orders_customer ON orders (customer_id);
INSERT INTO customers SELECT g, 'c' || g || '@example.com', timestamptz '2024-01-01 00:00+02' + g * interval '1 hour'
FROM generate_series(1, 500) g;
INSERT INTO orders SELECT g, g % 500 + 1, g * 1.25, CASE WHEN g % 7 = 0 THEN NULL ELSE md5(g::text) END,
    g / 3.0, decode(md5(g::text), 'hex')
FROM generate_series(1, 5000) g;
"""


@pytest.fixture
def source(pg_url: str) -> str:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return pg_url


def pg_dump(url: str, target: Path, *options: str) -> Path:
    subprocess.run(
        [find_program("pg_dump"), *options, "-f", str(target)], env=client_env(parse_url(url)), check=True
    )
    return target


def _scratch_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the scratch database names the run chooses, to prove they are gone afterwards."""
    names: list[str] = []
    original = pg_scratch.scratch_name

    def recording() -> str:
        names.append(original())
        return names[-1]

    monkeypatch.setattr(pg_scratch, "scratch_name", recording)
    return names


def _databases(url: str) -> set[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


@pytest.mark.parametrize(
    ("options", "name"),
    [(("-Fc",), "db.dump"), (("-Fd",), "db.dir"), ((), "db.sql")],
    ids=["custom", "directory", "plain"],
)
def test_intact_dumps_pass(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], name: str
) -> None:
    names = _scratch_names(monkeypatch)
    artifact = pg_dump(source, tmp_path / name, *options)
    result = verify_backup(artifact, against=source)
    assert result.passed, result.findings
    assert {t.table: (t.status, t.restored_rows) for t in result.tables} == {
        "public.customers": ("pass", 500),
        "public.orders": ("pass", 5000),
    }
    assert result.restore_seconds is not None and result.restored_bytes
    assert result.seconds_per_gb is not None
    archive_checked = any(c.startswith("the custom-format archive check") for c in result.checks)
    assert archive_checked is (name == "db.dump")
    assert names and not set(names) & _databases(source)  # the scratch database was dropped


def test_flipped_bytes_inside_compressed_block_fail_although_toc_reads(source: str, tmp_path: Path) -> None:
    artifact = pg_dump(source, tmp_path / "db.dump", "-Fc")
    data = bytearray(artifact.read_bytes())
    # Table data blocks are zlib streams (header 78 9c at the default level); orders' is the last and largest.
    block = data.rindex(b"\x78\x9c")
    assert len(data) - block > 4000
    for offset in (1500, 1501, 1502):
        data[block + offset] ^= 0x5A
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(bytes(data))
    # A table-of-contents check does not see it.
    listed = subprocess.run(
        [find_program("pg_restore"), "-l", str(damaged)], capture_output=True, check=False
    )
    assert listed.returncode == 0
    # pg_restore stops at the same block ("could not uncompress data"); the archive check finds it first.
    assert subprocess.run(
        [find_program("pg_restore"), "-f", "/dev/null", str(damaged)], capture_output=True, check=False
    ).returncode != 0
    result = verify_backup(damaged, against=source)
    assert not result.passed
    assert [f.rule for f in result.findings] == ["backup-dump-damaged"]
    assert "the custom-format archive check stopped at byte" in result.findings[0].message
    assert "the data of public.orders does not inflate" in result.findings[0].message
    assert result.findings[0].table == "public.orders"
    assert result.restore_seconds is None  # nothing was restored: the damage was already proven


def test_truncated_custom_dump_fails(source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = _scratch_names(monkeypatch)
    artifact = pg_dump(source, tmp_path / "db.dump", "-Fc")
    cut = tmp_path / "cut.dump"
    cut.write_bytes(artifact.read_bytes()[: artifact.stat().st_size * 2 // 3])
    result = verify_backup(cut, against=source)
    assert not result.passed
    assert [f.rule for f in result.findings] == ["backup-dump-damaged"]
    assert "cut short" in result.findings[0].message
    assert all(t.status == "fail" for t in result.tables)
    assert not names  # the archive check proved it: no scratch database was even created


def test_truncated_custom_dump_missed_by_the_reader_still_fails_the_restore(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbexpert.engines.postgres import dumpfile

    names = _scratch_names(monkeypatch)
    artifact = pg_dump(source, tmp_path / "db.dump", "-Fc")
    cut = tmp_path / "cut.dump"
    cut.write_bytes(artifact.read_bytes()[: artifact.stat().st_size * 2 // 3])
    # As with an lz4 or zstd dump, which the reader does not inflate: pg_restore is the check.
    unread = dumpfile.DumpReading(str(cut), "1.15", "lz4", False, cut.stat().st_size, note="not read")
    monkeypatch.setattr(dumpfile, "read_dump", lambda path: unread)
    result = verify_backup(cut, against=source)
    assert [f.rule for f in result.findings] == ["backup-restore-failed"]
    assert "pg_restore" in result.findings[0].message
    assert "archive check: not read" in result.report().notes
    assert names and not set(names) & _databases(source)  # dropped after a failed restore too


def test_truncated_plain_dump_fails(source: str, tmp_path: Path) -> None:
    artifact = pg_dump(source, tmp_path / "db.sql")
    text = artifact.read_bytes()
    # Cut at a line boundary inside the orders data: psql alone would accept what is left.
    end = text.index(b"\n", text.index(b"COPY public.orders") + 20000)
    cut = tmp_path / "cut.sql"
    cut.write_bytes(text[: end + 1] + b"\\.\n")
    result = verify_backup(cut, against=source)
    assert not result.passed
    rules = [f.rule for f in result.findings]
    assert "backup-dump-truncated" in rules
    orders = next(t for t in result.tables if t.table == "public.orders")
    assert orders.status == "fail"


def test_manifest_catches_changed_content_with_same_row_count(source: str, tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    write_manifest(create_manifest(source), manifest)
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("UPDATE orders SET note = 'changed' WHERE id = 42")
    artifact = pg_dump(source, tmp_path / "db.dump", "-Fc")
    server = parse_url(source)
    result = verify_backup(
        artifact,
        manifest=manifest,
        scratch=f"postgresql://{server.user}@{server.host}:{server.port}/postgres",
    )
    assert not result.passed
    orders = next(t for t in result.tables if t.table == "public.orders")
    assert orders.problems == ("same row count, different content",)
    customers = next(t for t in result.tables if t.table == "public.customers")
    assert customers.status == "pass"


def test_invalid_index_in_restore_is_reported(source: str, tmp_path: Path) -> None:
    artifact = pg_dump(source, tmp_path / "db.sql")
    # A dump whose restore leaves a constraint unvalidated (the source has none): it must not pass silently.
    text = artifact.read_text()
    text = text.replace(
        "-- PostgreSQL database dump complete",
        "ALTER TABLE public.orders ADD CONSTRAINT orders_small CHECK (amount < 10) NOT VALID;\n"
        "-- PostgreSQL database dump complete",
    )
    edited = tmp_path / "edited.sql"
    edited.write_text(text)
    result = verify_backup(edited, against=source)
    rules = [f.rule for f in result.findings]
    assert "backup-index-or-constraint-invalid" in rules
    invalid = next(f for f in result.findings if f.rule == "backup-index-or-constraint-invalid")
    assert (
        invalid.fix is not None
        and invalid.fix.sql == "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_small;"
    )


def test_ctrl_c_during_restore_still_drops_scratch(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _scratch_names(monkeypatch)
    artifact = pg_dump(source, tmp_path / "db.dump", "-Fc")

    def interrupted(*args: object, **kwargs: object) -> None:
        assert names[-1] in _databases(source)  # it existed during the restore
        raise KeyboardInterrupt

    monkeypatch.setattr(pg_restore_module, "restore_archive", interrupted)
    with pytest.raises(KeyboardInterrupt):
        verify_backup(artifact, against=source)
    assert names and names[-1] not in _databases(source)


@pytest.fixture
def with_password(source: str) -> Iterator[str]:
    """The same URL with a password (the local server trusts 127.0.0.1, so any password connects)."""
    yield source.replace("postgres@", "postgres:hunter2secret@")


def test_cli_exit_codes_and_no_password_printed(with_password: str, tmp_path: Path) -> None:
    runner = CliRunner()
    good = pg_dump(with_password, tmp_path / "db.dump", "-Fc")
    ok = runner.invoke(cli, ["backup", "verify", str(good), "--against", with_password, "-f", "json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.output)
    assert report["result"] == "pass" and len(report["tables"]) == 2
    assert report["summary"]["restore_seconds_per_gb"] is not None
    cut = tmp_path / "cut.dump"
    cut.write_bytes(good.read_bytes()[:2000])
    failed = runner.invoke(cli, ["backup", "verify", str(cut), "--against", with_password])
    assert failed.exit_code == 1
    assert "backup-dump-damaged" in failed.output
    for output in (ok.output, failed.output):
        assert "hunter2secret" not in output


def test_cli_bad_input_and_unreachable_server(tmp_path: Path, source: str) -> None:
    from dbexpert.cli.main import main

    artifact = pg_dump(source, tmp_path / "db.dump", "-Fc")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01garbage")
    with pytest.raises(SystemExit) as bad:
        main(["backup", "verify", str(junk), "--scratch", source])
    assert bad.value.code == 2
    with pytest.raises(SystemExit) as down:
        main(["backup", "verify", str(artifact), "--scratch", "postgresql://postgres:pw@127.0.0.1:1/x"])
    assert down.value.code == 3
    with pytest.raises(SystemExit) as missing:
        main(["backup", "verify", str(artifact)])  # nowhere to restore
    assert missing.value.code == 2
