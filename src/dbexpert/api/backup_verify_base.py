"""``backup verify`` of a PostgreSQL base backup: its files and WAL checked, then the backup started.

First, without a server: every file against ``backup_manifest`` (``pg_verifybackup``, or the tar
archives streamed here) and every WAL segment of the manifest's ``WAL-Ranges`` present. Then the
restore drill (``engines/postgres/basebackup_start``): the backup copied or extracted into a private
temporary folder, started by the PostgreSQL server of its major version, its WAL replayed up to the
first consistent point, and, once it accepts connections, the same per-table row counts and content
checksums as a restored dump, compared with ``--against`` or ``--manifest`` (the database they
name), plus the dump path's integrity checks (indexes valid, constraints validated) and every table
read to its end (a page failing its data checksum is an error there). The server is always stopped
and the folder removed. The time from the first byte copied to the server accepting connections is
the restore time; with the backup's size, the recovery time to expect.

Replay itself checks the WAL: when it stops on a record or page that does not read, the segment is
named (``backup-base-backup-damaged``, ``pg_wal/<segment>``); a segment missing from the backup is
found by name before the start, which is then skipped (``backup-wal-segment-missing``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from dbexpert.api.backup_manifest import Manifest, from_facts
from dbexpert.api.backup_verify import (
    ArtifactKind,
    TableCheck,
    Verification,
    _compare,
    _integrity,
    _invalid_objects,
    _no_reference_note,
    _problem,
    _restore_failed,
)
from dbexpert.engines.url import parse_url
from dbexpert.model import ConnectError, Engine, InputError
from dbexpert.model.backup import BackupProblem, BackupProblemKind

READ_CHECK = "every row read by the started server (data checksums, page headers)"


def verify_base_backup(
    artifact: Path, wal_dir: Path | None, reference: Manifest | None, shown: str, against: str | None
) -> Verification:
    from dbexpert.engines.postgres import basebackup_start as bs
    from dbexpert.engines.postgres import restore_basebackup as bb

    manifest = bb.read_manifest(artifact)
    checks: list[str] = []
    damaged = _file_problems(artifact, manifest, wal_dir, checks)
    checks.append("WAL segments named by WAL-Ranges present")
    missing = bb.missing_segments(artifact, manifest, wal_dir)
    if missing:  # pg_verifybackup's WAL parsing failure says the same, less precisely
        damaged = [p for p in damaged if "pg_waldump" not in p.message]
    problems = [_file_problem(BackupProblemKind.BASE_BACKUP_DAMAGED, artifact, p) for p in damaged]
    problems += [_file_problem(BackupProblemKind.WAL_SEGMENT_MISSING, artifact, p) for p in missing]
    size = sum(int(entry.get("Size", 0)) for entry in manifest.get("Files", ()))
    result = Verification(
        artifact=str(artifact),
        kind=ArtifactKind.PG_BASE_BACKUP,
        findings=(),
        reference=shown,
        restored_bytes=size,
        checks=tuple(checks),
    )
    unreadable = [p for p in damaged if p.path.endswith((".tar", ".tar.gz"))]
    if missing or unreadable:
        why = "WAL segments it needs are missing" if missing else f"{unreadable[0].path} does not read"
        tables, _ = _compare(artifact, Engine.POSTGRES, reference, None)
        return replace(result, problems=tuple(problems), tables=tables, notes=(f"not started: {why}",))
    database, users = _target(against, reference)
    with bs.started_backup(artifact, manifest, wal_dir, users=users) as drill:
        checks.append("started as a private server with pg_ctl, WAL replayed to the first consistent point")
        if not drill.ready:
            assert drill.failure is not None
            if (
                drill.failure.segment is not None
            ):  # replay names the segment: pg_verifybackup's line is vaguer
                problems = [p for p in problems if "pg_waldump" not in p.detail]
            problems.append(_replay_problem(artifact, drill.failure))
            tables, _ = _compare(artifact, Engine.POSTGRES, reference, None)
            return replace(
                result, problems=tuple(problems), tables=tables, checks=tuple(checks),
                restore_seconds=drill.seconds, notes=_no_reference_note(reference),
            )  # fmt: skip
        checks += ["indexes valid, constraints validated", READ_CHECK]
        checks.append("row counts and content checksums" if reference else "read every row")
        restored, seen = _read_started(artifact, drill, database)
    broken = {p.table for p in seen if p.table}
    readable = reference
    if reference is not None and broken:  # reported as unreadable, not as missing
        readable = replace(reference, tables=tuple(t for t in reference.tables if t.table not in broken))
    tables, compared = _compare(artifact, Engine.POSTGRES, readable, restored)
    tables = (*_broken_tables(seen, reference), *tables)
    problems += seen + compared
    if restored is not None:
        problems += _invalid_objects(artifact, restored, reference)
    return replace(
        result,
        problems=tuple(problems),
        tables=tables,
        checks=tuple(checks),
        restore_seconds=drill.seconds,
        scratch_server=f"a private PostgreSQL server started from the backup (database {database or 'all'})",
        notes=(
            *_no_reference_note(reference),
            "restore time: copying the backup and replaying its WAL until the server accepted connections;"
            " bytes: the files of backup_manifest",
        ),
    )


def _read_started(
    artifact: Path, drill: Any, database: str | None
) -> tuple[Manifest | None, list[BackupProblem]]:
    """What the started backup holds: ``database``, or every database when None. A database the
    backup lacks holds no tables (each table of the reference is then missing)."""
    from dbexpert.engines.postgres.basebackup_start import databases
    from dbexpert.engines.postgres.checksum import METHOD

    present = databases(drill.url("postgres"))
    if database is None:
        return _read_all(artifact, drill, present)
    if database in present:
        return _read(artifact, drill.url(database))
    return from_facts({"tables": [], "objects": []}, Engine.POSTGRES, METHOD), []


def _file_problems(
    artifact: Path, manifest: dict[str, Any], wal_dir: Path | None, checks: list[str]
) -> list[Any]:
    from dbexpert.engines.postgres import restore_basebackup as bb

    if bb.tar_archives(artifact):
        checks.append(
            "tar archives streamed: every member's size and checksum (CRC32C or SHA) from backup_manifest"
            " (pg_verifybackup 15 does not read tar format)"
        )
        return list(bb.check_tar_files(artifact, manifest))
    if bb.has_verifybackup():
        checks.append("pg_verifybackup (file sizes, checksums, WAL parsing)")
        failed = bb.run_verifybackup(artifact, wal_dir)
        return [failed] if failed else []
    checks.append("file sizes and checksums (CRC32C or SHA) from backup_manifest (pg_verifybackup not installed)")
    return list(bb.check_files(artifact, manifest))


def _file_problem(kind: BackupProblemKind, artifact: Path, found: Any) -> BackupProblem:
    return _problem(kind, artifact, Engine.POSTGRES, subject=found.path, detail=found.message)


def _target(against: str | None, reference: Manifest | None) -> tuple[str | None, list[str]]:
    """The database to compare (the one ``--against`` or the manifest's source names; None: every
    database) and role names worth trying to connect as."""
    source = against or (reference.source if reference is not None else None)
    if source is None:
        return None, []
    try:
        url = parse_url(source)
    except InputError:
        return "postgres", []
    return url.database or "postgres", [url.user] if url.user else []


def _replay_problem(artifact: Path, failure: Any) -> BackupProblem:
    """The finding for a backup that did not become consistent: the WAL segment when the log names one."""
    from dbexpert.engines.postgres.basebackup_start import PROGRAM

    if failure.segment is None:
        return _restore_failed(artifact, Engine.POSTGRES, PROGRAM, failure.message)
    if failure.missing:
        return _problem(
            BackupProblemKind.WAL_SEGMENT_MISSING, artifact, Engine.POSTGRES,
            subject=f"pg_wal/{failure.segment}",
            detail=f"WAL segment {failure.segment} needed by the backup is missing ({failure.message})",
        )  # fmt: skip
    return _problem(
        BackupProblemKind.BASE_BACKUP_DAMAGED, artifact, Engine.POSTGRES,
        subject=f"pg_wal/{failure.segment}", detail=f"WAL replay stopped: {failure.message}",
    )  # fmt: skip


def _read(artifact: Path, url: Any, prefix: str = "") -> tuple[Manifest | None, list[BackupProblem]]:
    """Row counts, checksums and schema facts of one database of the started backup; tables whose
    pages do not read are integrity problems (and left out of the sums)."""
    from dbexpert.engines.postgres.checksum import METHOD, read_sums, unreadable_tables

    try:
        return from_facts(read_sums(url), Engine.POSTGRES, METHOD), []
    except ConnectError as exc:
        failure = str(exc)
    try:
        broken = unreadable_tables(url)
        facts = read_sums(url, skip=broken)
    except ConnectError as exc:  # the catalog itself does not read
        return None, [_integrity(artifact, Engine.POSTGRES, READ_CHECK, [str(exc) or failure])]
    problems = [
        _integrity(artifact, Engine.POSTGRES, READ_CHECK, [message], prefix + table)
        for table, message in broken.items()
    ]
    return from_facts(facts, Engine.POSTGRES, METHOD), problems


def _read_all(artifact: Path, drill: Any, names: list[str]) -> tuple[Manifest | None, list[BackupProblem]]:
    """Every database, tables named ``database/schema.table`` (no reference to pick one)."""
    tables: list[dict[str, Any]] = []
    objects: list[dict[str, Any]] = []
    problems: list[BackupProblem] = []
    size = 0
    for name in names:
        manifest, seen = _read(artifact, drill.url(name), prefix=f"{name}/")
        problems += seen
        if manifest is None:
            continue
        size += manifest.size_bytes
        tables += [
            {"table": f"{name}/{t.table}", "rows": t.rows, "checksum": t.checksum} for t in manifest.tables
        ]
        objects += [
            {"table": f"{name}/{o.table}", "name": o.name, "kind": o.kind, "valid": o.valid}
            for o in manifest.objects
        ]
    from dbexpert.engines.postgres.checksum import METHOD

    return from_facts(
        {"tables": tables, "objects": objects, "size_bytes": size}, Engine.POSTGRES, METHOD
    ), problems


def _broken_tables(problems: list[BackupProblem], reference: Manifest | None) -> tuple[TableCheck, ...]:
    """The results of the tables whose rows did not read."""
    checks = []
    for p in problems:
        if p.kind is not BackupProblemKind.INTEGRITY_CHECK_FAILED or not p.table:
            continue
        expected = reference.table(p.table) if reference is not None else None
        rows, checksum = (expected.rows, expected.checksum) if expected is not None else (None, None)
        checks.append(TableCheck(p.table, "fail", rows, None, checksum, None, p.details[:1]))
    return tuple(checks)
