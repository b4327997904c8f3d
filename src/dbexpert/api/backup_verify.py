"""``backup verify``: prove a backup restores, and restores the data it should.

A table of contents proves little: ``pg_restore -l`` reads only the archive's header, and a byte
flipped inside a compressed data block passes it. A custom-format dump is first read block by block
(``engines/postgres/dumpfile``: every block inflated, its structure and offsets checked, rows
counted; a damaged one is not restored at all). Then the whole artifact is restored into a scratch
database (random name, on the ``--scratch`` server or the server of ``--against``; never the source
database; always dropped, after failures and Ctrl-C too), and then, table by table, its row count
and order-independent content checksum are compared with the source database (read-only) or with a
manifest written at backup time. Indexes and constraints must come back valid, and the engine's
own checks run: ``PRAGMA integrity_check`` for SQLite files, ``CHECK TABLE`` for MySQL/MariaDB.

Artifacts: PostgreSQL custom (``-Fc``), directory (``-Fd``) and plain dumps; PostgreSQL base
backups (a directory with ``backup_manifest``: its files and WAL segments checked, then the backup
started as a private throw-away server and compared like a restored dump — ``api/backup_verify_base``);
MySQL/MariaDB SQL dumps; SQLite database files and ``.backup`` copies (read in place, read-only: no
scratch database needed).

What was seen goes into :class:`~dbexpert.model.backup.BackupProblem` values; the enabled
``backup-*`` rules of ``rules/ops/backup_verify_*`` turn them into findings, so ``--select``,
``--ignore``, ``dbexpert rule NAME`` and the docs know them like every other rule.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.api.backup_manifest import (
    Manifest,
    SchemaObject,
    TableState,
    from_facts,
    load_manifest,
    read_database,
)
from dbexpert.api.config import Config, enabled_rules, rule_options, validate
from dbexpert.engines.url import DatabaseUrl, parse_url
from dbexpert.model import Engine, Finding, InputError, Mode
from dbexpert.model.backup import BackupProblem, BackupProblemKind, TableSums
from dbexpert.report import ReportData
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import Registry, registry

GB = 1024**3
_HEAD_BYTES = 4096
READER = "the custom-format archive check"


class ArtifactKind(StrEnum):
    SQLITE = "sqlite"
    PG_CUSTOM = "pg_dump custom"
    PG_DIRECTORY = "pg_dump directory"
    PG_PLAIN = "pg_dump plain"
    PG_BASE_BACKUP = "pg_basebackup"
    MYSQL_DUMP = "mysqldump"
    REDIS_RDB = "redis rdb"
    REDIS_AOF = "redis aof"

    @property
    def engine(self) -> Engine:
        if self is ArtifactKind.SQLITE:
            return Engine.SQLITE
        if self in (ArtifactKind.REDIS_RDB, ArtifactKind.REDIS_AOF):
            return Engine.REDIS
        return Engine.MYSQL if self is ArtifactKind.MYSQL_DUMP else Engine.POSTGRES


@dataclass(frozen=True, slots=True)
class TableCheck:
    table: str
    status: str  # "pass" | "fail" | "restored" (nothing to compare with)
    expected_rows: int | None
    restored_rows: int | None
    expected_checksum: str | None
    restored_checksum: str | None
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "status": self.status,
            "expected_rows": self.expected_rows,
            "restored_rows": self.restored_rows,
            "expected_checksum": self.expected_checksum,
            "restored_checksum": self.restored_checksum,
            "problems": list(self.problems),
        }


@dataclass(frozen=True, slots=True)
class Verification:
    artifact: str
    kind: ArtifactKind
    findings: tuple[Finding, ...]
    tables: tuple[TableCheck, ...] = ()
    reference: str = ""  # what the restore was compared with
    restore_seconds: float | None = None
    restored_bytes: int | None = None
    notes: tuple[str, ...] = ()
    scratch_server: str = ""
    checks: tuple[str, ...] = field(default=())  # what was checked, in order
    problems: tuple[BackupProblem, ...] = ()  # what was seen; ``findings`` are the enabled rules' verdicts

    @property
    def passed(self) -> bool:
        """Whether the artifact restored and matched: a fact about the backup, so ignoring a rule
        hides its finding but never turns a failed verification into a pass."""
        return not self.problems

    @property
    def seconds_per_gb(self) -> float | None:
        if self.restore_seconds is None or not self.restored_bytes:
            return None
        return round(self.restore_seconds / (self.restored_bytes / GB), 1)

    def report(self) -> ReportData:
        summary = {
            "engine": self.kind.engine.value,
            "mode": Mode.EXACT.value,
            "artifact_kind": self.kind.value,
            "result": "pass" if self.passed else "fail",
            "tables": len(self.tables),
            "tables_failed": sum(t.status == "fail" for t in self.tables),
            "restore_seconds": round(self.restore_seconds, 3) if self.restore_seconds is not None else None,
            "restored_bytes": self.restored_bytes,
            "restore_seconds_per_gb": self.seconds_per_gb,
        }
        lines = [f"{'PASS' if self.passed else 'FAIL'}: {self.artifact} ({self.kind.value})"]
        if self.restore_seconds is not None:
            size = f" for {self.restored_bytes} bytes" if self.restored_bytes else ""
            rto = f", {self.seconds_per_gb} s per GB" if self.seconds_per_gb is not None else ""
            lines.append(
                f"restore took {self.restore_seconds:.2f} s{size}{rto}"
                " (wall clock of the restore; bytes as the restored database measures them)"
            )
        lines += [
            f"table {t.table}: {t.status}"
            + (f" ({t.restored_rows} rows)" if t.restored_rows is not None else "")
            for t in self.tables
        ]
        return ReportData(
            command="backup verify",
            findings=self.findings,
            target=self.artifact + (f" against {self.reference}" if self.reference else ""),
            summary=MappingProxyType(summary),
            extra=MappingProxyType(
                {
                    "result": "pass" if self.passed else "fail",
                    "artifact": self.artifact,
                    "artifact_kind": self.kind.value,
                    "reference": self.reference,
                    "scratch_server": self.scratch_server,
                    "checks": list(self.checks),
                    "tables": [t.to_dict() for t in self.tables],
                }
            ),
            notes=(*lines, *self.notes),
        )


# ---------------------------------------------------------------------------------------------- input


def detect_kind(artifact: Path) -> ArtifactKind:
    """What the artifact is, from its content; InputError with its location when it is none of them."""
    if artifact.is_dir():
        if (artifact / "backup_manifest").is_file() or (artifact / "backup_label").is_file():
            return ArtifactKind.PG_BASE_BACKUP
        if (artifact / "toc.dat").is_file():
            return ArtifactKind.PG_DIRECTORY
        if any(artifact.glob("*.aof.manifest")):
            return ArtifactKind.REDIS_AOF  # Redis 7 appendonlydir: manifest, base and incr files
        raise InputError(
            f"{artifact}:1:1: expected a pg_dump directory (toc.dat), a base backup (backup_manifest)"
            " or a Redis append-only directory (*.aof.manifest); found none"
        )
    try:
        with artifact.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"{artifact}:1:1: cannot read the artifact: {exc.strerror}") from None
    if head.startswith(b"SQLite format 3\x00"):
        return ArtifactKind.SQLITE
    if head.startswith(b"PGDMP"):
        return ArtifactKind.PG_CUSTOM
    if b"PostgreSQL database dump" in head:
        return ArtifactKind.PG_PLAIN
    if b"-- MySQL dump" in head or b"-- MariaDB dump" in head:
        return ArtifactKind.MYSQL_DUMP
    if head.startswith(b"REDIS0"):  # an RDB file (also an AOF base with the RDB preamble)
        return ArtifactKind.REDIS_AOF if ".aof" in artifact.name else ArtifactKind.REDIS_RDB
    if head.startswith(b"*") and b"\r\n$" in head[:32]:  # RESP commands: an append-only file
        return ArtifactKind.REDIS_AOF
    if not head:
        raise InputError(f"{artifact}:1:1: expected a backup artifact; the file is empty")
    raise InputError(
        f"{artifact}:1:1: expected a backup artifact (pg_dump custom/plain, mysqldump, SQLite file, Redis RDB/AOF); "
        "the header matches none"
    )


def _reference(against: str | None, manifest: Path | None, kind: ArtifactKind) -> Manifest | None:
    if against is not None and manifest is not None:
        raise InputError("give --against URL or --manifest FILE, not both")
    if manifest is not None:
        reference = load_manifest(manifest)
    elif against is not None:
        url = parse_url(against)
        if url.engine is not kind.engine:
            raise InputError(
                f"{kind.value} artifact cannot be compared with {url.redacted()}: another engine"
            )
        reference = read_database(url)
    else:
        return None
    if reference.engine is not kind.engine:
        raise InputError(
            f"{manifest}:1:1: expected a {kind.engine.value} manifest, found {reference.engine.value}"
        )
    return reference


# --------------------------------------------------------------------------------------------- verify


def verify_backup(
    artifact: Path,
    *,
    against: str | None = None,
    manifest: Path | None = None,
    scratch: str | None = None,
    wal_dir: Path | None = None,
    config: Config | None = None,
    rules: Registry | None = None,
) -> Verification:
    """Verify ``artifact``; see the module docstring for what that means per kind. ``config`` chooses
    the rules that judge what was seen (``--select``/``--ignore``, thresholds)."""
    config = config or Config()
    rules = rules or registry()
    validate(config, rules)
    kind = detect_kind(artifact)
    reference = _reference(against, manifest, kind)
    shown = str(manifest) if manifest is not None else (reference.source if reference else "")
    if kind is ArtifactKind.PG_BASE_BACKUP:
        from dbexpert.api.backup_verify_base import verify_base_backup

        result = verify_base_backup(artifact, wal_dir, reference, shown, against)
    elif kind is ArtifactKind.SQLITE:
        result = _verify_sqlite(artifact, reference, shown)
    elif kind.engine is Engine.REDIS:
        result = _verify_redis(artifact, kind, reference, shown)
    else:
        server = _scratch_server(scratch, against, kind)
        if kind is ArtifactKind.MYSQL_DUMP:
            result = _verify_mysql_dump(artifact, server, reference, shown)
        else:
            result = _verify_pg_dump(artifact, kind, server, reference, shown)
    return _judged(result, config, rules)


def _judged(result: Verification, config: Config, rules: Registry) -> Verification:
    """The verification with the findings of the enabled rules over what it saw."""
    findings = run_backup_rules(result.problems, enabled_rules(config, rules), rule_options(config, rules))
    return replace(result, findings=tuple(findings))


def _scratch_server(scratch: str | None, against: str | None, kind: ArtifactKind) -> DatabaseUrl:
    text = scratch or against
    if text is None:
        raise InputError(
            f"a {kind.value} artifact is verified by restoring it: give --scratch URL (a server where a"
            " scratch database may be created) or --against URL"
        )
    url = parse_url(text)
    if url.engine is not kind.engine:
        raise InputError(
            f"a {kind.value} artifact restores on a {kind.engine.value} server; got {url.redacted()}"
        )
    return url


def _verify_sqlite(artifact: Path, reference: Manifest | None, shown: str) -> Verification:
    from dbexpert.engines.sqlite.checksum import METHOD, integrity_problems, read_sums

    started = time.perf_counter()
    messages = integrity_problems(artifact)
    problems = [_integrity(artifact, Engine.SQLITE, "PRAGMA integrity_check", messages)] if messages else []
    restored = None if messages else from_facts(read_sums(artifact), Engine.SQLITE, METHOD)
    seconds = time.perf_counter() - started
    tables, compared = _compare(artifact, Engine.SQLITE, reference, restored)
    return Verification(
        artifact=str(artifact),
        kind=ArtifactKind.SQLITE,
        findings=(),
        problems=(*problems, *compared),
        tables=tables,
        reference=shown,
        restore_seconds=seconds,
        restored_bytes=artifact.stat().st_size,
        checks=(
            "PRAGMA integrity_check",
            "row counts and content checksums" if reference else "read every row",
        ),
        notes=_no_reference_note(reference),
    )


def _verify_redis(artifact: Path, kind: ArtifactKind, reference: Manifest | None, shown: str) -> Verification:
    """redis-check-rdb / redis-check-aof, then a private redis-server loads it (see ``engines/redis/verify``)."""
    from dbexpert.engines.redis.checksum import METHOD
    from dbexpert.engines.redis.verify import check_file, load

    is_aof = kind is ArtifactKind.REDIS_AOF
    tool = check_file(artifact, is_aof)
    problems: list[BackupProblem] = []
    if not tool.ok:
        problems.append(_integrity(artifact, Engine.REDIS, tool.program, list(tool.messages)))
    loaded = load(artifact, is_aof)
    if not loaded.ok:
        problems.append(_restore_failed(artifact, Engine.REDIS, "redis-server", loaded.error or "failed"))
    restored = from_facts(loaded.sums, Engine.REDIS, METHOD) if loaded.sums is not None else None
    tables, compared = _compare(artifact, Engine.REDIS, reference, restored)
    return Verification(
        artifact=str(artifact),
        kind=kind,
        findings=(),
        problems=(*problems, *compared),
        tables=tables,
        reference=shown,
        restore_seconds=loaded.seconds if loaded.ok else None,
        restored_bytes=restored.size_bytes if restored else None,
        scratch_server="a private redis-server on 127.0.0.1 (stopped and removed)",
        checks=(
            tool.program,
            "loaded by a private redis-server",
            "key counts and content checksums per database" if reference else "read every key",
        ),
        notes=_no_reference_note(reference),
    )


def _verify_pg_dump(
    artifact: Path, kind: ArtifactKind, server: DatabaseUrl, reference: Manifest | None, shown: str
) -> Verification:
    from dbexpert.engines.postgres.checksum import METHOD, read_sums
    from dbexpert.engines.postgres.restore import RestoreRun, restore_archive
    from dbexpert.engines.postgres.scratch import scratch_database

    problems: list[BackupProblem] = []
    if kind is ArtifactKind.PG_PLAIN:
        problems += _missing_trailer(artifact, Engine.POSTGRES, b"-- PostgreSQL database dump complete", "pg_dump")
        _refuse_reconnect(artifact)
    restored: Manifest | None = None
    checks: list[str] = []
    notes: list[str] = []
    if kind is ArtifactKind.PG_CUSTOM:
        damaged = _read_custom_dump(artifact, checks, notes)
        problems += damaged
    else:
        damaged = []
    if damaged:  # pg_restore would stop at the same block: restoring the rest proves nothing more
        run = RestoreRun(ok=False, seconds=0.0, error=damaged[0].detail, program=READER)
        notes.append("not restored: the archive check already found the dump damaged")
    else:
        with scratch_database(server) as scratch:
            run = restore_archive(artifact, scratch, plain=kind is ArtifactKind.PG_PLAIN)
            if run.ok:
                restored = from_facts(read_sums(scratch, read_only=False), Engine.POSTGRES, METHOD)
        if not run.ok:
            problems.append(_restore_failed(artifact, Engine.POSTGRES, run.program, run.error or "failed"))
    tables, compared = _compare(artifact, Engine.POSTGRES, reference, restored)
    problems += compared
    if restored is not None:
        problems += _invalid_objects(artifact, restored, reference)
    result = _restored(
        artifact, kind, server, reference, shown, run.program, run.seconds, restored,
        problems=problems, tables=tables, engine_check="indexes valid, constraints validated",
    )
    if damaged:  # nothing was restored: the archive check is the whole verification
        result = replace(result, checks=tuple(checks), restore_seconds=None)
    else:
        result = replace(result, checks=(*checks, *result.checks))
    return replace(result, notes=(*notes, *result.notes))


def _read_custom_dump(artifact: Path, checks: list[str], notes: list[str]) -> list[BackupProblem]:
    """Walk every block of a custom-format dump before restoring it (see ``engines/postgres/dumpfile``):
    the problems it proves, with what was checked and read appended to ``checks`` and ``notes``."""
    from dbexpert.engines.postgres.dumpfile import read_dump

    started = time.perf_counter()
    reading = read_dump(artifact)
    seconds = time.perf_counter() - started
    if not reading.checked:
        notes.append(f"archive check: {reading.note}")
        return []
    checks.append(
        f"{READER}: every data block read and {'inflated (zlib adler32)' if reading.compression == 'gzip' else 'walked'},"
        " block structure and table-of-contents offsets"
    )
    notes.append(
        f"archive check: {len(reading.tables)} table data blocks, {reading.rows} rows,"
        f" {reading.large_objects} large objects, {reading.data_bytes} bytes of COPY data"
        f" ({reading.compression} compression) read in {seconds:.2f} s"
    )
    return [
        _problem(
            BackupProblemKind.DUMP_DAMAGED,
            artifact,
            Engine.POSTGRES,
            table=damage.table,
            subject=READER,
            detail=damage.message,
            offset=damage.offset,
        )
        for damage in reading.damage
    ]


def _verify_mysql_dump(
    artifact: Path, server: DatabaseUrl, reference: Manifest | None, shown: str
) -> Verification:
    from dbexpert.engines.mysql.checksum import METHOD, check_tables, read_sums
    from dbexpert.engines.mysql.restore import restore_dump
    from dbexpert.engines.mysql.scratch import scratch_database

    problems = _missing_trailer(artifact, Engine.MYSQL, b"-- Dump completed", "mysqldump")
    restored: Manifest | None = None
    broken: dict[str, str] = {}
    with scratch_database(replace(server, database=None)) as scratch:
        run = restore_dump(artifact, scratch)
        if run.ok:
            restored = from_facts(read_sums(scratch, read_only=False), Engine.MYSQL, METHOD)
            broken = check_tables(scratch, [t.table for t in restored.tables])
    if not run.ok:
        problems.append(_restore_failed(artifact, Engine.MYSQL, run.program, run.error or "failed"))
    for table, message in broken.items():
        problems.append(_integrity(artifact, Engine.MYSQL, "CHECK TABLE", [message], table))
    tables, compared = _compare(artifact, Engine.MYSQL, reference, restored)
    return _restored(
        artifact, ArtifactKind.MYSQL_DUMP, server, reference, shown, run.program, run.seconds, restored,
        problems=[*problems, *compared], tables=tables, engine_check="CHECK TABLE",
    )


def _restored(
    artifact: Path,
    kind: ArtifactKind,
    server: DatabaseUrl,
    reference: Manifest | None,
    shown: str,
    program: str,
    seconds: float,
    restored: Manifest | None,
    *,
    problems: list[BackupProblem],
    tables: tuple[TableCheck, ...],
    engine_check: str,
) -> Verification:
    """The verification of a dump restored into a scratch database by ``program``, where the
    engine's own ``engine_check`` ran after the restore."""
    return Verification(
        artifact=str(artifact),
        kind=kind,
        findings=(),
        problems=tuple(problems),
        tables=tables,
        reference=shown,
        restore_seconds=seconds,
        restored_bytes=restored.size_bytes if restored else None,
        scratch_server=server.redacted(),
        checks=(
            f"{program} into a scratch database",
            engine_check,
            "row counts and content checksums" if reference else "read every row",
        ),
        notes=_no_reference_note(reference),
    )


def _no_reference_note(reference: Manifest | None) -> tuple[str, ...]:
    if reference is not None:
        return ()
    return (
        "nothing to compare with (no --against or --manifest): the restore and integrity checks ran,"
        " row contents were not compared",
    )


# -------------------------------------------------------------------------------------------- compare


def _compare(
    artifact: Path, engine: Engine, reference: Manifest | None, restored: Manifest | None
) -> tuple[tuple[TableCheck, ...], list[BackupProblem]]:
    """Per-table results and the problems of the tables that differ."""
    if restored is None:
        return tuple(
            TableCheck(t.table, "fail", t.rows, None, t.checksum, None, ("not restored",))
            for t in (reference.tables if reference else ())
        ), []
    if reference is None:
        return tuple(
            TableCheck(t.table, "restored", None, t.rows, None, t.checksum) for t in restored.tables
        ), []
    if reference.method != restored.method:
        raise InputError(
            f"the manifest's checksums were computed by {reference.method!r}, this engine computes"
            f" {restored.method!r}: write the manifest with this version"
        )
    results: list[TableCheck] = []
    problems: list[BackupProblem] = []
    for expected in reference.tables:
        got = restored.table(expected.table)
        if got is None:
            results.append(
                TableCheck(expected.table, "fail", expected.rows, None, expected.checksum, None, ("missing",))
            )
            problems.append(
                _differs(artifact, engine, expected.table, "missing from the restored backup", expected, None)
            )
            continue
        differences = []
        if got.rows != expected.rows:
            differences.append(f"{got.rows} rows restored, {expected.rows} expected")
        elif got.checksum != expected.checksum:
            differences.append("same row count, different content")
        results.append(
            TableCheck(
                expected.table,
                "fail" if differences else "pass",
                expected.rows,
                got.rows,
                expected.checksum,
                got.checksum,
                tuple(differences),
            )
        )
        if differences:
            problems.append(_differs(artifact, engine, expected.table, differences[0], expected, got))
    known = {t.table for t in reference.tables}
    for extra in restored.tables:
        if extra.table not in known:
            results.append(
                TableCheck(
                    extra.table, "fail", None, extra.rows, None, extra.checksum, ("not in the source",)
                )
            )
            problems.append(
                _differs(artifact, engine, extra.table, "in the backup but not in the source", None, extra)
            )
    problems += _missing_objects(artifact, engine, reference, restored)
    return tuple(results), problems


def _missing_objects(
    artifact: Path, engine: Engine, reference: Manifest, restored: Manifest
) -> list[BackupProblem]:
    have = {(o.table, o.name, o.kind) for o in restored.objects}
    return [
        _problem(
            BackupProblemKind.SCHEMA_OBJECT_MISSING,
            artifact,
            engine,
            table=o.table,
            subject=o.name,
            subject_kind=o.kind,
        )
        for o in reference.objects
        if (o.table, o.name, o.kind) not in have
    ]


def _invalid_objects(artifact: Path, restored: Manifest, reference: Manifest | None) -> list[BackupProblem]:
    """Indexes or constraints the restore left invalid (unless they were already invalid in the source)."""
    invalid_before = (
        {(o.table, o.name, o.kind) for o in reference.objects if not o.valid} if reference else set()
    )
    bad: list[SchemaObject] = [
        o for o in restored.objects if not o.valid and (o.table, o.name, o.kind) not in invalid_before
    ]
    return [
        _problem(
            BackupProblemKind.INDEX_OR_CONSTRAINT_INVALID,
            artifact,
            Engine.POSTGRES,
            table=o.table,
            subject=o.name,
            subject_kind=o.kind,
        )
        for o in bad
    ]


# ------------------------------------------------------------------------------------------- problems


def _problem(kind: BackupProblemKind, artifact: Path, engine: Engine, **facts: Any) -> BackupProblem:
    return BackupProblem(kind, str(artifact), engine, is_file=artifact.is_file(), **facts)


def _sums(state: TableState | None) -> TableSums | None:
    return TableSums(state.rows, state.checksum) if state is not None else None


def _differs(
    artifact: Path, engine: Engine, table: str, what: str, expected: TableState | None, got: TableState | None
) -> BackupProblem:
    return _problem(
        BackupProblemKind.TABLE_CONTENT_DIFFERS,
        artifact,
        engine,
        table=table,
        detail=what,
        expected=_sums(expected),
        found=_sums(got),
    )


def _restore_failed(artifact: Path, engine: Engine, program: str, error: str) -> BackupProblem:
    return _problem(BackupProblemKind.RESTORE_FAILED, artifact, engine, subject=program, detail=error)


def _missing_trailer(artifact: Path, engine: Engine, trailer: bytes, tool: str) -> list[BackupProblem]:
    """A dump that does not end with the tool's closing comment was cut short."""
    size = artifact.stat().st_size
    with artifact.open("rb") as handle:
        handle.seek(max(0, size - 512))
        tail = handle.read()
    if trailer in tail:
        return []
    return [
        _problem(
            BackupProblemKind.DUMP_TRUNCATED,
            artifact,
            engine,
            subject=tool,
            detail=trailer.decode(),
            size_bytes=size,
        )
    ]


def _refuse_reconnect(artifact: Path) -> None:
    """A plain dump made with ``--create`` switches databases (``\\connect``): it would leave the scratch one."""
    with artifact.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith(b"\\connect"):
                raise InputError(
                    f"{artifact}:{number}:1: expected a dump of one database without \\connect (made with --create);"
                    " dump it without --create, or as -Fc"
                )


def _integrity(
    artifact: Path, engine: Engine, check: str, messages: list[str], table: str | None = None
) -> BackupProblem:
    return _problem(
        BackupProblemKind.INTEGRITY_CHECK_FAILED,
        artifact,
        engine,
        table=table,
        subject=check,
        details=tuple(messages),
    )
