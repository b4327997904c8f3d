"""What ``backup verify`` observed about a backup artifact: the target of the backup-verify rules.

The API restores or reads the artifact and records each problem it saw, with the facts behind it;
the rules (``rules/ops/backup_verify_*``) turn problems into findings, so their wording, fix and
documentation live in one place like every other rule's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dbexpert.model.catalog import Engine
from dbexpert.model.location import Location


class BackupProblemKind(StrEnum):
    SCHEMA_OBJECT_MISSING = "schema-object-missing"  # in the source, not in the restore
    INDEX_OR_CONSTRAINT_INVALID = "index-or-constraint-invalid"  # restored, but not valid
    TABLE_CONTENT_DIFFERS = "table-content-differs"  # row count or checksum differs, or table missing/extra
    RESTORE_FAILED = "restore-failed"  # the restore program stopped with an error
    DUMP_TRUNCATED = "dump-truncated"  # the dump lacks its tool's closing comment
    DUMP_DAMAGED = "dump-damaged"  # a custom-format dump's block does not read (corrupt data, cut short)
    INTEGRITY_CHECK_FAILED = "integrity-check-failed"  # PRAGMA integrity_check / CHECK TABLE
    BASE_BACKUP_DAMAGED = "base-backup-damaged"  # a file of a base backup is damaged or missing
    WAL_SEGMENT_MISSING = "wal-segment-missing"  # a WAL segment a base backup needs is absent


@dataclass(frozen=True, slots=True)
class TableSums:
    """A table's row count and order-independent content checksum (decimal text)."""

    rows: int
    checksum: str


@dataclass(frozen=True, slots=True)
class BackupProblem:
    """One problem found while verifying ``artifact``; which fields are set depends on ``kind``."""

    kind: BackupProblemKind
    artifact: str  # the artifact's path as given
    engine: Engine
    is_file: bool = True  # a file is located at its line 1; a directory (pg_dump -Fd, base backup) has no line
    table: str | None = None
    subject: str = ""  # the schema object, restore program, integrity check, file or WAL segment concerned
    subject_kind: str = ""  # schema objects: "index", "constraint", ...
    detail: str = ""  # what was observed: the error, the difference, the missing trailer
    details: tuple[str, ...] = ()  # integrity checks: every message reported
    expected: TableSums | None = None  # from the source database or the manifest
    found: TableSums | None = None  # from the restored backup
    size_bytes: int | None = None  # dumps: the artifact's size
    offset: int | None = None  # damaged dumps: the byte where reading stopped

    @property
    def location(self) -> Location:
        return Location(path=self.artifact, line=1 if self.is_file else None, object=self.table)
