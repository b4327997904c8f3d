"""backup verify on real PostgreSQL base backups.

The shared local server's pg_hba.conf has no ``replication`` entry for 127.0.0.1, so pg_basebackup
cannot copy it. These tests start a private PostgreSQL 15 cluster (initdb in a temporary folder,
its own port, replication allowed) and take real base backups of it with pg_basebackup.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import tarfile
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


# ------------------------------------------------------------------------------------ tar format


@pytest.fixture(params=["tar", "tar.gz"])
def tar_backup(cluster: int, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    target = tmp_path / "base-tar"
    gzip = ["-z"] if request.param == "tar.gz" else []
    subprocess.run(
        [find_program("pg_basebackup"), "-h", "127.0.0.1", "-p", str(cluster), "-U", "postgres",
         "-D", str(target), "-Ft", *gzip, "-X", "stream", "--no-sync"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    assert (target / f"base.{request.param}").is_file() and (target / f"pg_wal.{request.param}").is_file()
    return target


def test_crc32c_matches_the_manifest_of_a_plain_backup(base_backup: Path) -> None:
    assert bb.crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    entry = next(e for e in bb.read_manifest(base_backup)["Files"] if e["Path"] == "global/pg_control")
    assert entry["Checksum-Algorithm"] == "CRC32C"
    crc = bb.crc32c((base_backup / "global/pg_control").read_bytes())
    assert crc.to_bytes(4, "little").hex() == entry["Checksum"]


def test_intact_tar_backup_passes(tar_backup: Path) -> None:
    result = verify_backup(tar_backup)
    assert result.kind is ArtifactKind.PG_BASE_BACKUP
    assert result.passed, result.problems
    assert any(c.startswith("tar archives streamed") for c in result.checks)
    assert bb.check_tar_files(tar_backup, bb.read_manifest(tar_backup)) == []


def test_damaged_member_of_a_tar_backup_fails(tar_backup: Path) -> None:
    archive = next(tar_backup.glob("base.tar*"))
    if archive.name.endswith(".gz"):  # a flipped byte in gzip data breaks the stream itself
        data = bytearray(archive.read_bytes())
        data[len(data) // 2] ^= 0xFF
        archive.write_bytes(bytes(data))
        # Either the gzip stream fails (its CRC, or bad deflate data) or members come out wrong.
        assert bb.check_tar_files(tar_backup, bb.read_manifest(tar_backup))
        assert not verify_backup(tar_backup).passed
        return
    with tarfile.open(archive) as tar:
        victim = next(m for m in tar.getmembers() if m.isfile() and m.size > 8192 and m.name.startswith("base/"))
    data = bytearray(archive.read_bytes())
    data[victim.offset_data + 5000] ^= 0xFF  # inside the member's content: the tar headers stay valid
    archive.write_bytes(bytes(data))
    result = verify_backup(tar_backup)
    assert not result.passed
    assert [f.rule for f in result.findings] == ["backup-base-backup-damaged"]
    assert result.findings[0].evidence["file"] == victim.name
    assert "CRC32C checksum differs" in result.findings[0].message


def test_member_missing_from_a_tar_backup_fails(tar_backup: Path) -> None:
    archive = next(tar_backup.glob("base.tar*"))
    mode = "gz" if archive.name.endswith(".gz") else ""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(archive, f"w:{mode}") as tar:
        for member, content in members:
            if member.name != "PG_VERSION":
                tar.addfile(member, io.BytesIO(content) if content is not None else None)
    problems = bb.check_tar_files(tar_backup, bb.read_manifest(tar_backup))
    assert [(p.path, p.message) for p in problems] == [
        ("PG_VERSION", "listed in backup_manifest but missing from the tar archives")
    ]


def test_missing_wal_segment_of_a_tar_backup_fails(tar_backup: Path) -> None:
    manifest = bb.read_manifest(tar_backup)
    needed = bb.needed_segments(manifest, bb.segment_bytes(tar_backup))
    archive = next(tar_backup.glob("pg_wal.tar*"))
    mode = "gz" if archive.name.endswith(".gz") else ""
    kept = tar_backup / "kept"
    kept.mkdir()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert needed[0] in names
        tar.extractall(kept, members=[m for m in tar.getmembers() if m.name != needed[0]], filter="data")
    with tarfile.open(archive, f"w:{mode}") as tar:
        for name in names:
            if name != needed[0]:
                tar.add(kept / name, arcname=name, recursive=False)
    shutil.rmtree(kept)
    result = verify_backup(tar_backup)
    assert not result.passed
    assert [f.rule for f in result.findings] == ["backup-wal-segment-missing"]
    assert needed[0] in result.findings[0].message
