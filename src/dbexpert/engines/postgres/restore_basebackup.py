"""Check a PostgreSQL base backup (a ``pg_basebackup -Fp`` directory with a ``backup_manifest``).

Two questions: is every file the manifest lists present, of the right size and checksum
(``pg_verifybackup`` answers it, WAL parsing included, when it is installed; otherwise sizes and
SHA checksums are checked here, and CRC32C, the default, is left to the tool), and is every WAL
segment the backup needs to become consistent present? The second is answered here in any case,
from the manifest's ``WAL-Ranges``, so a missing segment is named, not just reported as
"WAL parsing failed". Tar-format backups are not read.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbexpert.engines.postgres.restore import find_program
from dbexpert.model import InputError

DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024
_QUOTED_FILE = re.compile(r'file "([^"]+)"')
_SHA = {"SHA224": "sha224", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}


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
    """WAL segments the backup needs that are neither in ``wal_dir`` nor in the backup's ``pg_wal``."""
    size = segment_bytes(backup)
    folders = [wal_dir] if wal_dir is not None else [backup / "pg_wal"]
    problems: list[BackupProblem] = []
    for name in needed_segments(manifest, size):
        if not any(
            (folder / name).is_file() and (folder / name).stat().st_size == size for folder in folders
        ):
            where = ", ".join(str(f) for f in folders)
            problems.append(
                BackupProblem(
                    f"pg_wal/{name}", f"WAL segment {name} needed by the backup is missing from {where}"
                )
            )
    return problems
