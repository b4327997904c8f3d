"""backup verify on real PostgreSQL base backups.

The shared local server's pg_hba.conf has no ``replication`` entry for 127.0.0.1, so pg_basebackup
cannot copy it. These tests start a private PostgreSQL 15 cluster (initdb in a temporary folder,
its own port, replication allowed) and take real base backups of it with pg_basebackup.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbexpert.api.backup_verify import ArtifactKind, verify_backup
from dbexpert.engines.postgres import restore_basebackup as bb
from dbexpert.engines.postgres.restore import find_program
from dbexpert.model import InputError


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres account then."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root without runuser: cannot start a private PostgreSQL cluster")
    return [runuser, "-u", "postgres", "--", *command]


@pytest.fixture(scope="module")
def cluster() -> Iterator[int]:
    try:
        initdb, pg_ctl = find_program("initdb"), find_program("pg_ctl")
    except InputError as exc:
        pytest.skip(str(exc))
    # Not under pytest's temporary folder: its parent is private to the user running the tests.
    home = Path(tempfile.mkdtemp(prefix="dbexpert-cluster-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
    data = home / "data"
    try:
        subprocess.run(
            _as_server_user([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]),
            check=True,
            capture_output=True,
        )
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        port = _free_port()
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start"]),
            check=True,
            capture_output=True,
        )
        try:
            yield port
        finally:
            stop = [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]
            subprocess.run(_as_server_user(stop), check=False, capture_output=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def base_backup(cluster: int, tmp_path: Path) -> Path:
    target = tmp_path / "base"
    subprocess.run(
        [
            find_program("pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster),
            "-U",
            "postgres",
            "-D",
            str(target),
            "-X",
            "fetch",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    return target


def test_intact_base_backup_passes(base_backup: Path) -> None:
    result = verify_backup(base_backup)
    assert result.kind is ArtifactKind.PG_BASE_BACKUP
    assert result.passed, result.findings
    assert "WAL segments named by WAL-Ranges present" in result.checks


def test_damaged_file_fails(base_backup: Path) -> None:
    victim = next(
        p for p in sorted((base_backup / "base").rglob("*")) if p.is_file() and p.stat().st_size > 8192
    )
    data = bytearray(victim.read_bytes())
    data[5000] ^= 0xFF
    victim.write_bytes(bytes(data))
    result = verify_backup(base_backup)
    assert not result.passed
    finding = result.findings[0]
    assert finding.rule == "backup-base-backup-damaged"
    assert finding.evidence["file"] == str(victim.relative_to(base_backup))


def test_missing_wal_segment_fails_and_is_named(base_backup: Path) -> None:
    manifest = bb.read_manifest(base_backup)
    needed = bb.needed_segments(manifest, bb.segment_bytes(base_backup))
    assert needed and all((base_backup / "pg_wal" / name).is_file() for name in needed)
    (base_backup / "pg_wal" / needed[0]).unlink()
    result = verify_backup(base_backup)
    assert not result.passed
    assert [f.rule for f in result.findings] == ["backup-wal-segment-missing"]
    assert needed[0] in result.findings[0].message


def test_wal_dir_is_searched_instead_of_pg_wal(base_backup: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.move(base_backup / "pg_wal", archive)
    (base_backup / "pg_wal").mkdir()
    assert verify_backup(base_backup, wal_dir=archive).passed
    assert not verify_backup(base_backup).passed


def test_file_checks_without_pg_verifybackup(base_backup: Path) -> None:
    manifest = bb.read_manifest(base_backup)
    assert bb.check_files(base_backup, manifest) == []
    victim = base_backup / "PG_VERSION"
    victim.write_text("15\n\n")
    problems = bb.check_files(base_backup, manifest)
    assert [p.path for p in problems] == ["PG_VERSION"]
    assert "size" in problems[0].message


def test_needed_segments_across_boundaries() -> None:
    size = 16 * 1024 * 1024
    manifest = {"WAL-Ranges": [{"Timeline": 1, "Start-LSN": "0/2FFFFF0", "End-LSN": "0/3000100"}]}
    assert bb.needed_segments(manifest, size) == ["000000010000000000000002", "000000010000000000000003"]
    # An end LSN exactly on a boundary needs nothing from the next segment.
    manifest = {"WAL-Ranges": [{"Timeline": 2, "Start-LSN": "1/FF000028", "End-LSN": "2/00000000"}]}
    assert bb.needed_segments(manifest, size) == ["0000000200000001000000FF"]


def test_not_a_manifest_is_input_error(tmp_path: Path) -> None:
    (tmp_path / "backup_manifest").write_text("{ not json")
    with pytest.raises(InputError, match=r"backup_manifest:1:3: expected a PostgreSQL backup manifest"):
        verify_backup(tmp_path)
