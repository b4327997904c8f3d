"""Check a PostgreSQL base backup (a ``pg_basebackup`` directory with a ``backup_manifest``).

Two questions: is every file the manifest lists present, of the right size and checksum, and is
every WAL segment the backup needs to become consistent present? The second is answered here in
any case, from the manifest's ``WAL-Ranges``, so a missing segment is named, not just reported as
"WAL parsing failed".

Plain format (``-Fp``): ``pg_verifybackup`` answers the first question, WAL parsing included, when
it is installed; otherwise sizes and SHA checksums are checked here, and CRC32C, the default, is
left to the tool. Tar format (``-Ft``, optionally gzip ``-z``): ``pg_verifybackup`` of PostgreSQL
15 does not read tar files, so the archives (``base.tar``, one ``<oid>.tar`` per tablespace,
``pg_wal.tar``; ``.gz`` when compressed) are streamed here with ``tarfile`` and every member's size
and checksum compared with the manifest, CRC32C included (:func:`crc32c`); the WAL segments are
looked up in ``pg_wal.tar`` or ``--wal-dir``.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbexpert.engines.postgres.restore import find_program
from dbexpert.model import InputError

DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024
_QUOTED_FILE = re.compile(r'file "([^"]+)"')
_SHA = {"SHA224": "sha224", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}
_TAR_SUFFIXES = (".tar", ".tar.gz")
_READ = 1024 * 1024


@dataclass(frozen=True, slots=True)
class BackupProblem:
    path: str  # the file concerned, relative to the backup directory
    message: str


def read_manifest(backup: Path) -> dict[str, Any]:
    """The parsed ``backup_manifest``; InputError pointing at it when it is not one."""
    path = backup / "backup_manifest"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}:1:1: cannot read the backup manifest: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line, column = (exc.lineno, exc.colno) if isinstance(exc, json.JSONDecodeError) else (1, 1)
        raise InputError(f"{path}:{line}:{column}: expected a PostgreSQL backup manifest (JSON)") from None
    if not isinstance(data, dict) or "Files" not in data or "WAL-Ranges" not in data:
        raise InputError(f"{path}:1:1: expected a PostgreSQL backup manifest with Files and WAL-Ranges")
    return data


def run_verifybackup(backup: Path, wal_dir: Path | None) -> BackupProblem | None:
    """``pg_verifybackup`` on the directory: None when it passes, else its first error."""
    command = [find_program("pg_verifybackup"), "--quiet"]
    if wal_dir is not None:
        command += ["--wal-directory", str(wal_dir)]
    else:
        pg_waldump = _optional_program("pg_waldump")
        if pg_waldump is None:
            command.append("--no-parse-wal")
    command.append(str(backup))
    completed = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
    if completed.returncode == 0:
        return None
    lines = [line.strip() for line in (completed.stderr + completed.stdout).splitlines() if line.strip()]
    first = next((line for line in lines if "error" in line), lines[0] if lines else "failed")
    first = first.removeprefix("pg_verifybackup: ")
    named = _QUOTED_FILE.search(first)
    return BackupProblem(named.group(1) if named else "backup_manifest", f"pg_verifybackup: {first}")


def has_verifybackup() -> bool:
    return _optional_program("pg_verifybackup") is not None


def _optional_program(name: str) -> str | None:
    try:
        return find_program(name)
    except InputError:
        return None


def check_files(backup: Path, manifest: dict[str, Any]) -> list[BackupProblem]:
    """Every listed file present with its size; SHA checksums compared (CRC32C needs pg_verifybackup)."""
    problems: list[BackupProblem] = []
    for entry in manifest.get("Files", ()):
        name = str(entry.get("Path", ""))
        path = backup / name
        if not path.is_file():
            problems.append(BackupProblem(name, "listed in backup_manifest but missing"))
            continue
        size = path.stat().st_size
        if size != entry.get("Size"):
            problems.append(
                BackupProblem(name, f"size {size} bytes, backup_manifest says {entry.get('Size')}")
            )
            continue
        algorithm = _SHA.get(str(entry.get("Checksum-Algorithm", "")).upper())
        if algorithm is not None:
            digest = hashlib.new(algorithm, path.read_bytes()).hexdigest()
            if digest != str(entry.get("Checksum", "")).lower():
                problems.append(BackupProblem(name, f"{algorithm} checksum differs from backup_manifest"))
    return problems


def needed_segments(manifest: dict[str, Any], segment_bytes: int) -> list[str]:
    """Names of the WAL segments covering every range in ``WAL-Ranges``, in order."""
    per_id = 0x1_0000_0000 // segment_bytes
    names: list[str] = []
    for wal_range in manifest.get("WAL-Ranges", ()):
        timeline = int(wal_range["Timeline"])
        start = parse_lsn(str(wal_range["Start-LSN"]))
        end = parse_lsn(str(wal_range["End-LSN"]))
        # The end LSN points just past the last record: the segment before it when it sits on a boundary.
        last = max(start, end - 1) // segment_bytes
        for segment in range(start // segment_bytes, last + 1):
            names.append(f"{timeline:08X}{segment // per_id:08X}{segment % per_id:08X}")
    return names


def parse_lsn(text: str) -> int:
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def segment_bytes(backup: Path) -> int:
    """The cluster's WAL segment size, from ``pg_controldata``; 16 MB when it cannot be read."""
    program = _optional_program("pg_controldata")
    if program is None:
        return DEFAULT_SEGMENT_BYTES
    completed = subprocess.run([program, str(backup)], capture_output=True, text=True, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith("Bytes per WAL segment:"):
            return int(line.split(":", 1)[1].strip())
    return DEFAULT_SEGMENT_BYTES


def missing_segments(backup: Path, manifest: dict[str, Any], wal_dir: Path | None) -> list[BackupProblem]:
    """WAL segments the backup needs that are neither in ``wal_dir`` nor in the backup's ``pg_wal``
    (its ``pg_wal.tar`` for a tar-format backup)."""
    size = segment_bytes(backup)
    wal_tar = _wal_tar(backup) if wal_dir is None else None
    if wal_tar is not None:
        present = _tar_segments(wal_tar, size)
        where = str(wal_tar)
    else:
        folder = wal_dir if wal_dir is not None else backup / "pg_wal"
        present = {p.name for p in folder.glob("*") if p.is_file() and p.stat().st_size == size}
        where = str(folder)
    problems: list[BackupProblem] = []
    for name in needed_segments(manifest, size):
        if name not in present:
            problems.append(
                BackupProblem(
                    f"pg_wal/{name}", f"WAL segment {name} needed by the backup is missing from {where}"
                )
            )
    return problems


def tar_archives(backup: Path) -> list[Path]:
    """The tar archives of a tar-format backup (``base.tar`` first); empty for a plain-format one."""
    found = [p for p in sorted(backup.iterdir()) if p.is_file() and p.name.endswith(_TAR_SUFFIXES)]
    return sorted(found, key=lambda p: (not p.name.startswith("base."), p.name))


def _wal_tar(backup: Path) -> Path | None:
    """``pg_wal.tar`` (``-X stream``), else ``base.tar`` whose ``pg_wal/`` holds them (``-X fetch``)."""
    for stem in ("pg_wal", "base"):
        for suffix in _TAR_SUFFIXES:
            if (backup / f"{stem}{suffix}").is_file():
                return backup / f"{stem}{suffix}"
    return None


def _tar_segments(archive: Path, size: int) -> set[str]:
    """Names of the whole WAL segments in ``archive`` (an unreadable archive holds none)."""
    try:
        with tarfile.open(archive, "r:*") as tar:  # "r|*" reads pg_wal.tar.gz of pg_basebackup 15 as empty
            return {m.name.rsplit("/", 1)[-1] for m in tar if m.isfile() and m.size == size}
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        return set()


def check_tar_files(backup: Path, manifest: dict[str, Any]) -> list[BackupProblem]:
    """Stream every archive of a tar-format backup and compare each member with the manifest: present,
    same size, same checksum (CRC32C or SHA). ``<oid>.tar`` holds tablespace ``pg_tblspc/<oid>``."""
    expected = {str(entry.get("Path", "")): entry for entry in manifest.get("Files", ())}
    seen: set[str] = set()
    problems: list[BackupProblem] = []
    for archive in tar_archives(backup):
        stem = archive.name.split(".tar", 1)[0]
        if stem == "pg_wal":
            continue
        prefix = "" if stem == "base" else f"pg_tblspc/{stem}/"
        try:
            with tarfile.open(archive, "r:*") as tar:  # "r|*" reads pg_wal.tar.gz of pg_basebackup 15 as empty
                for member in tar:
                    name = prefix + member.name.removeprefix("./")
                    entry = expected.get(name)
                    if entry is None or not member.isfile():
                        continue
                    seen.add(name)
                    problem = _check_member(tar, member, name, entry)
                    if problem is not None:
                        problems.append(problem)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            problems.append(BackupProblem(archive.name, f"{archive.name} cannot be read to its end: {exc}"))
    unreadable = any(p.path.endswith(_TAR_SUFFIXES) for p in problems)
    if not unreadable:  # after an unreadable archive, "missing" would only repeat it
        problems += [
            BackupProblem(name, "listed in backup_manifest but missing from the tar archives")
            for name in sorted(expected.keys() - seen)
        ]
    return problems


def _check_member(
    tar: tarfile.TarFile, member: tarfile.TarInfo, name: str, entry: dict[str, Any]
) -> BackupProblem | None:
    if member.size != entry.get("Size"):
        return BackupProblem(name, f"size {member.size} bytes, backup_manifest says {entry.get('Size')}")
    algorithm = str(entry.get("Checksum-Algorithm", "")).upper()
    if algorithm not in _SHA and algorithm != "CRC32C":
        return None  # NONE: the manifest records no checksum
    handle = tar.extractfile(member)
    assert handle is not None  # a regular file
    digest = hashlib.new(_SHA[algorithm]) if algorithm in _SHA else None
    crc = 0
    while chunk := handle.read(_READ):
        if digest is not None:
            digest.update(chunk)
        else:
            crc = crc32c(chunk, crc)
    # PostgreSQL writes the CRC32C's four bytes in memory order (little-endian here) as hex.
    found = digest.hexdigest() if digest is not None else crc.to_bytes(4, "little").hex()
    if found != str(entry.get("Checksum", "")).lower():
        return BackupProblem(name, f"{algorithm} checksum differs from backup_manifest")
    return None


# CRC32C (Castagnoli), the manifest's default checksum. The standard library has only CRC-32 (IEEE):
# this is the reflected, table-driven CRC with polynomial 0x1EDC6F41 (0x82F63B78 reflected), initial
# value and final XOR 0xFFFFFFFF, as PostgreSQL's pg_crc32c_sb8.c computes it. Pure Python: about
# 13 MB/s, enough for the tar-format backups pg_verifybackup 15 cannot read.
_CRC32C_POLY = 0x82F63B78


def _crc32c_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC32C_POLY if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes, crc: int = 0) -> int:
    """CRC32C of ``data``, continuing from ``crc`` (the value returned for the bytes before it)."""
    table = _CRC32C_TABLE
    value = crc ^ 0xFFFFFFFF
    for byte in data:
        value = table[(value ^ byte) & 0xFF] ^ (value >> 8)
    return value ^ 0xFFFFFFFF
