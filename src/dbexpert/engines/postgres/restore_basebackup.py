"""Check a PostgreSQL base backup (a ``pg_basebackup`` directory with a ``backup_manifest``).

Two questions: is every file the manifest lists present, of the right size and checksum, and is
every WAL segment the backup needs to become consistent present? The second is answered here in
any case, from the manifest's ``WAL-Ranges``, so a missing segment is named, not just reported as
"WAL parsing failed".

Plain format (``-Fp``): ``pg_verifybackup`` answers the first question, WAL parsing included, when
it is installed; otherwise sizes and checksums (CRC32C, the default, and SHA) are checked here.
Tar format (``-Ft``, optionally gzip ``-z``): ``pg_verifybackup`` of PostgreSQL 15 does not read tar
files, so the archives (``base.tar``, one ``<oid>.tar`` per tablespace, ``pg_wal.tar``; ``.gz`` when
compressed) are streamed here (:func:`open_tar`: ``tarfile`` over ISA-L's gzip reader) and every
member's size and checksum compared with the manifest; the WAL segments are looked up in
``pg_wal.tar`` or ``--wal-dir``. A damaged member is named: the manifest's checksum of that member
differs, or its data is where the compressed stream stops reading.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from crc32c import crc32c as _crc32c
from isal import igzip, isal_zlib

from dbexpert.engines.postgres.gzip_exact import ExactGzipReader
from dbexpert.engines.postgres.restore import find_program
from dbexpert.model import InputError

DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024
_QUOTED_FILE = re.compile(r'file "([^"]+)"')
_SHA = {"SHA224": "sha224", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}
_TAR_SUFFIXES = (".tar", ".tar.gz")
_READ = 1024 * 1024
# What reading a damaged or cut-off archive raises: tarfile's errors, gzip's (BadGzipFile is an OSError:
# a bad header or trailer CRC), EOFError (cut off), and ISA-L's inflate error, a class of its own
# (isal's stubs declare it as an instance).
TAR_ERRORS: tuple[type[Exception], ...] = (
    tarfile.TarError, OSError, EOFError, zlib.error, cast(type[Exception], isal_zlib.error)
)  # fmt: skip


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
    """Every listed file present with its size and checksum (CRC32C or SHA): what ``pg_verifybackup``
    checks of a plain-format backup, WAL parsing aside, for when it is not installed."""
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
        if _algorithm(entry) is None:
            continue
        try:
            with path.open("rb") as handle:
                problem = _checksum_problem(name, entry, _chunks(handle, size))
        except (OSError, EOFError) as exc:
            problem = BackupProblem(name, f"cannot be read: {exc}")
        if problem is not None:
            problems.append(problem)
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


def segment_name(timeline: int, lsn: int, segment_bytes: int) -> str:
    """The name of the WAL segment holding ``lsn`` on ``timeline``."""
    per_id = 0x1_0000_0000 // segment_bytes
    segment = lsn // segment_bytes
    return f"{timeline:08X}{segment // per_id:08X}{segment % per_id:08X}"


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
    archive = wal_tar(backup) if wal_dir is None else None
    if archive is not None:
        present = _tar_segments(archive, size)
        where = str(archive)
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


def wal_tar(backup: Path) -> Path | None:
    """``pg_wal.tar`` (``-X stream``), else ``base.tar`` whose ``pg_wal/`` holds them (``-X fetch``)."""
    for stem in ("pg_wal", "base"):
        for suffix in _TAR_SUFFIXES:
            if (backup / f"{stem}{suffix}").is_file():
                return backup / f"{stem}{suffix}"
    return None


@contextmanager
def open_tar(archive: Path, *, precise: bool = False) -> Iterator[tarfile.TarFile]:
    """``archive`` (``.tar`` or ``.tar.gz``) opened for reading members in order. Gzip goes through
    ISA-L (``isal.igzip``, about three times the standard module's speed), which also reads the
    several gzip members ``pg_basebackup`` 15 writes into ``pg_wal.tar.gz`` (the first one empty:
    tarfile's own gzip stream mode, ``"r|gz"``, stops there). ISA-L inflates tens of kilobytes ahead
    of what is asked, so an error it meets may lie in a later member; ``precise`` reads through
    :class:`ExactGzipReader` instead, which inflates no further than asked. Errors are among
    :data:`TAR_ERRORS`."""
    if not archive.name.endswith(".gz"):
        opened: IO[bytes] = archive.open("rb")
    elif precise:
        opened = cast(IO[bytes], ExactGzipReader(archive))
    else:
        opened = cast(IO[bytes], igzip.open(archive, "rb"))
    with opened as raw, tarfile.open(fileobj=raw, mode="r:") as tar:
        yield tar


def member_chunks(tar: tarfile.TarFile, member: tarfile.TarInfo) -> Iterator[memoryview]:
    """The data of regular ``member`` of a :func:`open_tar` archive, a chunk at a time, read straight
    from the (decompressed) archive into one reused buffer rather than through ``extractfile``'s
    layers; each chunk is valid until the next one is asked for."""
    if member.issparse():  # not written by pg_basebackup; tarfile knows the layout
        handle = cast(IO[bytes], tar.extractfile(member))
    else:
        handle = cast(IO[bytes], tar.fileobj)
        handle.seek(member.offset_data)
    return _chunks(handle, member.size)


def _chunks(handle: IO[bytes], size: int) -> Iterator[memoryview]:
    """The next ``size`` bytes of ``handle`` in one reused buffer (a fresh megabyte per read would be
    faulted in afresh each time); EOFError when the file ends first."""
    view = memoryview(bytearray(min(size, _READ)))
    left = size
    while left:
        count = handle.readinto(view[: min(left, _READ)])  # type: ignore[attr-defined]
        if not count:
            raise EOFError(f"ends {left} bytes before the {size} it should hold")
        left -= count
        yield view[:count]


def _tar_segments(archive: Path, size: int) -> set[str]:
    """Names of the whole WAL segments in ``archive`` (an unreadable archive holds none)."""
    try:
        with open_tar(archive) as tar:
            return {m.name.rsplit("/", 1)[-1] for m in tar if m.isfile() and m.size == size}
    except TAR_ERRORS:
        return set()


def check_tar_files(backup: Path, manifest: dict[str, Any]) -> list[BackupProblem]:
    """Stream every archive of a tar-format backup and compare each member with the manifest: present,
    same size, same checksum (CRC32C or SHA). ``<oid>.tar`` holds tablespace ``pg_tblspc/<oid>``.
    An archive that does not read to its end is reported by its own name (and the member being read
    then by its name too); the members it did not reach are not reported missing."""
    expected = {str(entry.get("Path", "")): entry for entry in manifest.get("Files", ())}
    seen: set[str] = set()
    problems: list[BackupProblem] = []
    whole = True
    for archive in tar_archives(backup):
        stem = archive.name.split(".tar", 1)[0]
        if stem != "pg_wal":
            prefix = "" if stem == "base" else f"pg_tblspc/{stem}/"
            found, read = _check_archive(archive, prefix, expected, seen)
            problems += found
            whole = whole and read
    if whole:  # after an unreadable archive, "missing" would only repeat it
        problems += [
            BackupProblem(name, "listed in backup_manifest but missing from the tar archives")
            for name in sorted(expected.keys() - seen)
        ]
    return problems


def _check_archive(
    archive: Path, prefix: str, expected: dict[str, dict[str, Any]], seen: set[str]
) -> tuple[list[BackupProblem], bool]:
    """The problems of one archive's members, and whether every member was read. A gzip archive that
    fails is read again with ``precise`` (:func:`open_tar`), so that the member named is the damaged
    one rather than the one ISA-L was asked for when its read-ahead met the damage."""
    problems, read, failed = _read_archive(archive, prefix, expected, seen, precise=False)
    if failed and archive.name.endswith(".gz"):
        problems, read, _ = _read_archive(archive, prefix, expected, seen, precise=True)
    return problems, read


def _read_archive(
    archive: Path, prefix: str, expected: dict[str, dict[str, Any]], seen: set[str], *, precise: bool
) -> tuple[list[BackupProblem], bool, bool]:
    """One pass over ``archive``: its problems, whether every member was read, whether reading failed.

    A flipped byte in compressed data either inflates to other bytes, caught by the member's manifest
    checksum (and later by the gzip trailer's CRC, which then only repeats it), or does not inflate:
    the member being read is then named, with the archive. A member header that does not read (its
    own checksum) ends tarfile's iteration silently: the archive's rest is then not all zeros."""
    problems: list[BackupProblem] = []
    reading: str | None = None  # the member whose data is being read
    last = ""  # the last member whose header was read
    trailer = False  # every member handed out: the rest of the stream is read, gzip trailer included
    try:
        with open_tar(archive, precise=precise) as tar:
            for member in tar:
                last = prefix + member.name.removeprefix("./")
                entry = expected.get(last)
                if entry is None or not member.isfile():
                    continue
                seen.add(last)
                reading = last
                problem = _check_member(tar, member, last, entry)
                reading = None
                if problem is not None:
                    problems.append(problem)
            trailer = True
            if not _only_zeros(cast(IO[bytes], tar.fileobj)):
                after = f"the member after {last}" if last else "the first member"
                message = f"{archive.name}: the header of {after} does not read; the members after it are not checked"
                return [*problems, BackupProblem(archive.name, message)], False, False
    except TAR_ERRORS as exc:
        reason = str(exc) or type(exc).__name__
        # ISA-L may check a gzip trailer's CRC ahead, while a member before it is read.
        if reading is not None and not problems and not isinstance(exc, igzip.BadGzipFile):
            problems.append(BackupProblem(reading, f"cannot be read from {archive.name}: {reason}"))
        after = f" after {last}" if last else ""
        problems.append(
            BackupProblem(archive.name, f"{archive.name} cannot be read to its end{after}: {reason}")
        )
        return problems, trailer, True
    return problems, True, False


def _only_zeros(handle: IO[bytes]) -> bool:
    """Whether the rest of ``handle`` (after the end-of-archive block) is zeros, read to its end: a gzip
    stream's trailer CRC is checked there."""
    while chunk := handle.read(_READ):
        if chunk.count(0) != len(chunk):
            return False
    return True


def _check_member(
    tar: tarfile.TarFile, member: tarfile.TarInfo, name: str, entry: dict[str, Any]
) -> BackupProblem | None:
    if member.size != entry.get("Size"):
        return BackupProblem(name, f"size {member.size} bytes, backup_manifest says {entry.get('Size')}")
    if _algorithm(entry) is None:
        return None
    return _checksum_problem(name, entry, member_chunks(tar, member))


def _algorithm(entry: dict[str, Any]) -> str | None:
    """The manifest entry's checksum algorithm, upper case; None for NONE (no checksum recorded)."""
    algorithm = str(entry.get("Checksum-Algorithm", "")).upper()
    return algorithm if algorithm in _SHA or algorithm == "CRC32C" else None


def _checksum_problem(name: str, entry: dict[str, Any], chunks: Iterable[memoryview]) -> BackupProblem | None:
    """The file's checksum, computed over ``chunks``, against the manifest's."""
    algorithm = _algorithm(entry)
    assert algorithm is not None
    if algorithm == "CRC32C":
        crc = 0
        for chunk in chunks:
            crc = crc32c(chunk, crc)
        # PostgreSQL writes the CRC32C's four bytes in memory order (little-endian here) as hex.
        found = crc.to_bytes(4, "little").hex()
    else:
        digest = hashlib.new(_SHA[algorithm])
        for chunk in chunks:
            digest.update(chunk)
        found = digest.hexdigest()
    if found != str(entry.get("Checksum", "")).lower():
        return BackupProblem(name, f"{algorithm} checksum differs from backup_manifest")
    return None


def crc32c(data: bytes | memoryview, crc: int = 0) -> int:
    """CRC32C (Castagnoli), the manifest's default checksum, of ``data``, continuing from ``crc`` (the
    value returned for the bytes before it). The standard library has only CRC-32 (IEEE); the
    ``crc32c`` package computes this one with the CPU's CRC32 instruction (SSE 4.2, ARMv8), as
    PostgreSQL's pg_crc32c_sse42.c does: gigabytes a second instead of Python's 13 MB/s."""
    return _crc32c(data, crc)
