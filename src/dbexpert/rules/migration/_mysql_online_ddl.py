"""InnoDB online DDL facts for MySQL and MariaDB, and what one ALTER TABLE does on a given version.

The table below is data, not logic: for each operation, by server version, the algorithm the server
picks when the statement names none (the cheapest it supports), whether that rebuilds the table,
and whether concurrent DML is permitted (``LOCK=NONE``). Sources:

- MySQL 8.0 Reference Manual, 15.12.1 "Online DDL Operations"
  https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html
  (INSTANT ADD COLUMN as the last column from 8.0.12, at any position and INSTANT DROP COLUMN from
  8.0.29, INSTANT RENAME COLUMN from 8.0.28; column type changes, CONVERT TO CHARACTER SET, DROP
  PRIMARY KEY without ADD, STORED generated columns and a foreign key with foreign_key_checks=1
  use COPY; FULLTEXT and SPATIAL indexes are built in place but without concurrent DML).
- MySQL 5.7 Reference Manual, 14.13.1 "Online DDL Operations"
  https://dev.mysql.com/doc/refman/5.7/en/innodb-online-ddl-operations.html
- MariaDB "InnoDB Online DDL Operations with the INSTANT Alter Algorithm" and the INPLACE/NOCOPY
  pages: https://mariadb.com/kb/en/innodb-online-ddl-operations-with-the-instant-alter-algorithm/
  https://mariadb.com/kb/en/innodb-online-ddl-operations-with-the-inplace-alter-algorithm/
  (instant ADD COLUMN at the end from 10.3, instant DROP COLUMN, column reorder and NOT NULL -> NULL
  from 10.4, instant VARCHAR extension when the length prefix does not grow or the old maximum is at
  most 127 bytes from 10.4, RENAME INDEX instant from 10.5.2). The MariaDB 10.11 rows were checked
  against a 10.11 server with explicit ``ALGORITHM=INSTANT|NOCOPY|INPLACE|COPY, LOCK=NONE`` requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType

from dbexpert.model import Column, Engine, Table, TypeKind, Version
from dbexpert.model.types import normalize_type
from dbexpert.sources.migrations.steps import MigrationStep
from dbexpert.sql import ddl


class Algorithm(IntEnum):
    """Cheapest first; a statement runs with the most expensive algorithm any of its operations needs."""

    INSTANT = 0
    INPLACE = 1
    COPY = 2


class Op(StrEnum):
    ADD_COLUMN_LAST = "add column (last)"
    ADD_COLUMN_MIDDLE = "add column (FIRST/AFTER)"
    ADD_COLUMN_AUTO_INCREMENT = "add AUTO_INCREMENT column"
    ADD_STORED_COLUMN = "add STORED generated column"
    ADD_VIRTUAL_COLUMN = "add VIRTUAL generated column"
    DROP_COLUMN = "drop column"
    RENAME_COLUMN = "rename column"
    REORDER_COLUMN = "reorder column"
    CHANGE_COLUMN_TYPE = "change column type"
    EXTEND_VARCHAR = "extend VARCHAR (same length prefix)"
    EXTEND_VARCHAR_ACROSS_PREFIX = "extend VARCHAR across 255 bytes"
    MAKE_NULL = "make column NULL"
    MAKE_NOT_NULL = "make column NOT NULL"
    SET_DEFAULT = "set/drop column default"
    COLUMN_METADATA = "change column comment"
    ADD_INDEX = "add secondary index"
    DROP_INDEX = "drop index"
    RENAME_INDEX = "rename index"
    ADD_FULLTEXT_INDEX = "add FULLTEXT index"
    ADD_SPATIAL_INDEX = "add SPATIAL index"
    ADD_PRIMARY_KEY = "add primary key"
    DROP_PRIMARY_KEY = "drop primary key"
    REPLACE_PRIMARY_KEY = "drop and add primary key"
    ADD_FOREIGN_KEY = "add foreign key (foreign_key_checks=1)"
    ADD_FOREIGN_KEY_NO_CHECKS = "add foreign key (foreign_key_checks=0)"
    DROP_FOREIGN_KEY = "drop foreign key"
    ADD_CHECK = "add CHECK constraint"
    RENAME_TABLE = "rename table"
    NULL_REBUILD = "rebuild (ENGINE=InnoDB / FORCE / OPTIMIZE)"
    ROW_FORMAT = "change ROW_FORMAT"
    CHANGE_ENGINE = "change storage engine"
    CONVERT_CHARSET = "convert character set"


@dataclass(frozen=True, slots=True)
class Behaviour:
    algorithm: Algorithm
    rebuilds: bool = False
    concurrent_dml: bool = True
    # When a statement mixes this INSTANT operation with one that needs INPLACE, the whole statement
    # runs INPLACE: does this operation then rebuild the table (ADD/DROP COLUMN do)?
    rebuilds_if_inplace: bool = False


def _b(
    algorithm: Algorithm, rebuilds: bool = False, dml: bool = True, inplace_rebuilds: bool = False
) -> Behaviour:
    return Behaviour(algorithm, rebuilds, dml, inplace_rebuilds)


INSTANT = _b(Algorithm.INSTANT)
INSTANT_ELSE_REBUILD = _b(Algorithm.INSTANT, inplace_rebuilds=True)
INPLACE = _b(Algorithm.INPLACE)
INPLACE_REBUILD = _b(Algorithm.INPLACE, rebuilds=True)
INPLACE_NO_DML = _b(Algorithm.INPLACE, dml=False)
INPLACE_REBUILD_NO_DML = _b(Algorithm.INPLACE, rebuilds=True, dml=False)
COPY = _b(Algorithm.COPY, rebuilds=True, dml=False)

V = Version
# (first version, behaviour from that version on), ascending. The first row is the oldest supported.
Facts = Mapping[Op, tuple[tuple[Version, Behaviour], ...]]

MYSQL: Facts = MappingProxyType(
    {
        Op.ADD_COLUMN_LAST: ((V(5, 6), INPLACE_REBUILD), (V(8, 0, 12), INSTANT_ELSE_REBUILD)),
        Op.ADD_COLUMN_MIDDLE: ((V(5, 6), INPLACE_REBUILD), (V(8, 0, 29), INSTANT_ELSE_REBUILD)),
        Op.ADD_COLUMN_AUTO_INCREMENT: ((V(5, 6), INPLACE_REBUILD_NO_DML),),
        Op.ADD_STORED_COLUMN: ((V(5, 6), COPY),),
        Op.ADD_VIRTUAL_COLUMN: ((V(5, 7), INPLACE), (V(8, 0), INSTANT)),
        Op.DROP_COLUMN: ((V(5, 6), INPLACE_REBUILD), (V(8, 0, 29), INSTANT_ELSE_REBUILD)),
        Op.RENAME_COLUMN: ((V(5, 6), INPLACE), (V(8, 0, 28), INSTANT)),
        Op.REORDER_COLUMN: ((V(5, 6), INPLACE_REBUILD),),
        Op.CHANGE_COLUMN_TYPE: ((V(5, 6), COPY),),
        Op.EXTEND_VARCHAR: ((V(5, 6), COPY), (V(5, 7), INPLACE)),
        Op.EXTEND_VARCHAR_ACROSS_PREFIX: ((V(5, 6), COPY),),
        Op.MAKE_NULL: ((V(5, 6), INPLACE_REBUILD),),
        Op.MAKE_NOT_NULL: ((V(5, 6), INPLACE_REBUILD),),
        Op.SET_DEFAULT: ((V(5, 6), INPLACE), (V(8, 0), INSTANT)),
        Op.COLUMN_METADATA: ((V(5, 6), INPLACE), (V(8, 0), INSTANT)),
        Op.ADD_INDEX: ((V(5, 6), INPLACE),),
        Op.DROP_INDEX: ((V(5, 6), INPLACE),),
        Op.RENAME_INDEX: ((V(5, 7), INPLACE), (V(8, 0), INSTANT)),
        # The first FULLTEXT index adds a hidden FTS_DOC_ID column: a rebuild, with writes blocked.
        Op.ADD_FULLTEXT_INDEX: ((V(5, 6), INPLACE_REBUILD_NO_DML),),
        Op.ADD_SPATIAL_INDEX: ((V(5, 7), INPLACE_NO_DML),),
        Op.ADD_PRIMARY_KEY: ((V(5, 6), INPLACE_REBUILD),),
        Op.DROP_PRIMARY_KEY: ((V(5, 6), COPY),),
        Op.REPLACE_PRIMARY_KEY: ((V(5, 6), INPLACE_REBUILD),),
        Op.ADD_FOREIGN_KEY: ((V(5, 6), COPY),),
        Op.ADD_FOREIGN_KEY_NO_CHECKS: ((V(5, 6), INPLACE),),
        Op.DROP_FOREIGN_KEY: ((V(5, 6), INPLACE),),
        Op.ADD_CHECK: ((V(8, 0, 16), COPY),),  # every row is checked while the table is copied
        Op.RENAME_TABLE: ((V(5, 6), INPLACE), (V(8, 0), INSTANT)),
        Op.NULL_REBUILD: ((V(5, 6), INPLACE_REBUILD),),
        Op.ROW_FORMAT: ((V(5, 6), INPLACE_REBUILD),),
        Op.CHANGE_ENGINE: ((V(5, 6), COPY),),
        Op.CONVERT_CHARSET: ((V(5, 6), COPY),),
    }
)

MARIADB: Facts = MappingProxyType(
    {
        Op.ADD_COLUMN_LAST: ((V(10, 0), INPLACE_REBUILD), (V(10, 3), INSTANT_ELSE_REBUILD)),
        Op.ADD_COLUMN_MIDDLE: ((V(10, 0), INPLACE_REBUILD), (V(10, 4), INSTANT_ELSE_REBUILD)),
        Op.ADD_COLUMN_AUTO_INCREMENT: ((V(10, 0), INPLACE_REBUILD_NO_DML),),
        Op.ADD_STORED_COLUMN: ((V(10, 0), COPY),),
        Op.ADD_VIRTUAL_COLUMN: ((V(10, 2), INPLACE), (V(10, 3), INSTANT)),
        Op.DROP_COLUMN: ((V(10, 0), INPLACE_REBUILD), (V(10, 4), INSTANT_ELSE_REBUILD)),
        Op.RENAME_COLUMN: ((V(10, 0), INPLACE), (V(10, 3), INSTANT)),
        Op.REORDER_COLUMN: ((V(10, 0), INPLACE_REBUILD), (V(10, 4), INSTANT_ELSE_REBUILD)),
        Op.CHANGE_COLUMN_TYPE: ((V(10, 0), COPY),),
        Op.EXTEND_VARCHAR: ((V(10, 0), INPLACE), (V(10, 3), INSTANT)),
        Op.EXTEND_VARCHAR_ACROSS_PREFIX: ((V(10, 0), COPY),),
        Op.MAKE_NULL: ((V(10, 0), INPLACE_REBUILD), (V(10, 4), INSTANT_ELSE_REBUILD)),
        Op.MAKE_NOT_NULL: ((V(10, 0), INPLACE_REBUILD),),
        Op.SET_DEFAULT: ((V(10, 0), INPLACE), (V(10, 3), INSTANT)),
        Op.COLUMN_METADATA: ((V(10, 0), INPLACE), (V(10, 3), INSTANT)),
        Op.ADD_INDEX: ((V(10, 0), INPLACE),),
        Op.DROP_INDEX: ((V(10, 0), INPLACE),),
        Op.RENAME_INDEX: ((V(10, 5, 2), INSTANT),),
        Op.ADD_FULLTEXT_INDEX: ((V(10, 0), INPLACE_REBUILD_NO_DML),),
        Op.ADD_SPATIAL_INDEX: ((V(10, 2), INPLACE_NO_DML),),
        Op.ADD_PRIMARY_KEY: ((V(10, 0), INPLACE_REBUILD),),
        Op.DROP_PRIMARY_KEY: ((V(10, 0), COPY),),
        Op.REPLACE_PRIMARY_KEY: ((V(10, 0), INPLACE_REBUILD),),
        Op.ADD_FOREIGN_KEY: ((V(10, 0), COPY),),
        Op.ADD_FOREIGN_KEY_NO_CHECKS: ((V(10, 0), INPLACE),),
        Op.DROP_FOREIGN_KEY: ((V(10, 0), INPLACE),),
        Op.ADD_CHECK: ((V(10, 2), COPY),),
        Op.RENAME_TABLE: ((V(10, 0), INPLACE), (V(10, 3), INSTANT)),
        Op.NULL_REBUILD: ((V(10, 0), INPLACE_REBUILD),),
        Op.ROW_FORMAT: ((V(10, 0), INPLACE_REBUILD),),
        Op.CHANGE_ENGINE: ((V(10, 0), COPY),),
        Op.CONVERT_CHARSET: ((V(10, 0), COPY),),
    }
)

DEFAULT_VERSION = Version(8, 0)


def is_mariadb(version: Version | None) -> bool:
    """MySQL numbers its releases 5.x/8.x/9.x, MariaDB 10.x/11.x: the version tells the flavor."""
    return version is not None and 10 <= version.major < 20


def effective(version: Version | None) -> Version:
    """The version the facts are read for: "8.0" (no patch given) means the newest 8.0 release."""
    version = version or DEFAULT_VERSION
    return Version(version.major, version.minor, 9999) if version.patch == 0 else version


def shown(version: Version) -> str:
    return f"{version.major}.{version.minor}" if version.patch == 9999 else str(version)


def behaviour(op: Op, version: Version, mariadb: bool) -> Behaviour:
    rows = (MARIADB if mariadb else MYSQL)[op]
    chosen = rows[0][1]
    for since, fact in rows:
        if version >= since:
            chosen = fact
    return chosen


def instant_from(op: Op, mariadb: bool) -> Version | None:
    """The first version where ``op`` is INSTANT, if any."""
    for since, fact in (MARIADB if mariadb else MYSQL)[op]:
        if fact.algorithm is Algorithm.INSTANT:
            return since
    return None


def flavor_name(mariadb: bool) -> str:
    return "MariaDB" if mariadb else "MySQL"


# ---------------------------------------------------------------------------------------------
# What one statement does


@dataclass(frozen=True, slots=True)
class Operation:
    op: Op
    behaviour: Behaviour
    column: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AlterPlan:
    """One ALTER TABLE (or MySQL CREATE INDEX) on one table, as the server would run it."""

    table: ddl.Name
    operations: tuple[Operation, ...]
    version: Version
    mariadb: bool
    requested_algorithm: str | None = None
    requested_lock: str | None = None
    create_index: bool = False

    @property
    def algorithm(self) -> Algorithm:
        return max((o.behaviour.algorithm for o in self.operations), default=Algorithm.INSTANT)

    @property
    def runs_as(self) -> Algorithm:
        """The algorithm actually used: MySQL honours an explicit ALGORITHM=INPLACE even where INSTANT was
        possible (MariaDB takes ALGORITHM= as the least efficient acceptable one), and COPY when asked."""
        requested = (self.requested_algorithm or "").upper()
        if requested == "COPY":
            return Algorithm.COPY
        if requested == "INPLACE" and self.algorithm is Algorithm.INSTANT and not self.mariadb:
            return Algorithm.INPLACE
        return self.algorithm

    @property
    def forced_inplace(self) -> bool:
        """ALGORITHM=INPLACE written on MySQL for operations that would have been INSTANT."""
        return self.runs_as is Algorithm.INPLACE and self.algorithm is Algorithm.INSTANT

    @property
    def rebuilds(self) -> bool:
        algorithm = self.runs_as
        if algorithm is Algorithm.COPY:
            return True
        if algorithm is Algorithm.INSTANT:
            return False
        return any(o.behaviour.rebuilds or o.behaviour.rebuilds_if_inplace for o in self.operations)

    @property
    def concurrent_dml(self) -> bool:
        return all(o.behaviour.concurrent_dml for o in self.operations)

    @property
    def kind(self) -> str:
        """How messages name the statement: "ALTER TABLE" or "CREATE INDEX on"."""
        return "CREATE INDEX on" if self.create_index else "ALTER TABLE"

    def worst(self) -> Operation:
        """The operation that decides the statement's cost."""
        return max(
            self.operations,
            key=lambda o: (o.behaviour.algorithm, not o.behaviour.concurrent_dml, o.behaviour.rebuilds),
        )

    def evidence(self) -> dict[str, object]:
        return {
            "algorithm": self.runs_as.name,
            "rebuilds": self.rebuilds,
            "concurrent_dml": self.concurrent_dml,
            "operations": [o.op.value for o in self.operations],
            "flavor": flavor_name(self.mariadb),
            "version_assumed": f"{flavor_name(self.mariadb)} {shown(self.version)}",
        }

    def failure(self) -> str | None:
        """Why the requested ALGORITHM=/LOCK= cannot be honoured (the statement fails), if it cannot."""
        requested = (self.requested_algorithm or "DEFAULT").upper()
        lock = (self.requested_lock or "DEFAULT").upper()
        name = flavor_name(self.mariadb)
        if requested == "NOCOPY" and not self.mariadb:
            return f"ALGORITHM=NOCOPY does not exist in {name}"
        if requested == "INSTANT" and (
            (self.mariadb and self.version < Version(10, 3))
            or (not self.mariadb and self.version < Version(8, 0, 12))
        ):
            return f"ALGORITHM=INSTANT does not exist before {'MariaDB 10.3' if self.mariadb else 'MySQL 8.0.12'}"
        if requested == "INSTANT" and self.algorithm > Algorithm.INSTANT:
            return f"{self.worst().op.value} cannot be done with ALGORITHM=INSTANT on {name} {shown(self.version)}"
        if requested in ("INPLACE", "NOCOPY") and self.algorithm is Algorithm.COPY:
            return f"{self.worst().op.value} needs ALGORITHM=COPY on {name} {shown(self.version)}"
        if requested == "NOCOPY" and self.rebuilds:
            return f"{self.worst().op.value} rebuilds the table, which ALGORITHM=NOCOPY refuses"
        if lock == "NONE" and not self.concurrent_dml and requested != "COPY":
            return f"{self.worst().op.value} does not permit concurrent DML, so LOCK=NONE is refused"
        if lock == "NONE" and requested == "COPY":
            return "ALGORITHM=COPY cannot run with LOCK=NONE"
        return None


_OPTION_RE = re.compile(
    r"\b(ALGORITHM|LOCK)\s*=?\s*(DEFAULT|INSTANT|INPLACE|NOCOPY|COPY|NONE|SHARED|EXCLUSIVE)\b", re.I
)
_ENGINE_RE = re.compile(r"(?:,|\bTABLE\s+\S+)\s*ENGINE\s*=?\s*(\w+)", re.I)
_CONVERT_RE = re.compile(r"\bCONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\b", re.I)
_FORCE_RE = re.compile(r"(?:,|\bTABLE\s+\S+)\s*FORCE\b", re.I)
_ROW_FORMAT_RE = re.compile(r"(?:,|\bTABLE\s+\S+)\s*ROW_FORMAT\s*=?\s*\w+", re.I)
_FK_CHECKS_RE = re.compile(r"\bSET\s+(?:SESSION\s+|@@(?:SESSION\.)?)?foreign_key_checks\s*=\s*(\w+)", re.I)
_STRING_OR_COMMENT_RE = re.compile(
    r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|--[^\n]*|#[^\n]*|/\*.*?\*/", re.S
)


def _code(text: str) -> str:
    """The statement with strings, quoted names and comments blanked out, offsets kept."""
    return _STRING_OR_COMMENT_RE.sub(lambda m: " " * len(m.group(0)), text)


def requested_options(step: MigrationStep) -> tuple[str | None, str | None]:
    """ALGORITHM= and LOCK= as written (from the parser's AlterTableOptions, else the statement text)."""
    algorithm = lock = None
    found = False
    for action in step.actions:
        if isinstance(action, ddl.AlterTableOptions):
            found = True
            algorithm = action.algorithm or algorithm
            lock = action.lock or lock
    if found:
        return _upper(algorithm), _upper(lock)
    for match in _OPTION_RE.finditer(_code(step.statement.text)):
        if match.group(1).upper() == "ALGORITHM":
            algorithm = match.group(2)
        else:
            lock = match.group(2)
    return _upper(algorithm), _upper(lock)


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def foreign_key_checks_off(step: MigrationStep) -> bool:
    value = step.settings.get("foreign_key_checks")
    if value is None:
        script = step.migration.up
        before = ("\n" * script.line_offset + script.text)[: step.statement.start]
        matches = list(_FK_CHECKS_RE.finditer(_code(before)))
        value = matches[-1].group(1) if matches else None
    return value is not None and value.strip("'\"").lower() in ("0", "off", "false")


_BYTES_PER_CHAR = {
    "utf8mb4": 4,
    "utf8mb3": 3,
    "utf8": 3,
    "utf16": 4,
    "utf32": 4,
    "ucs2": 2,
    "latin1": 1,
    "ascii": 1,
    "binary": 1,
    "latin2": 1,
    "cp1250": 1,
    "cp1251": 1,
    "cp1252": 1,
}
_CHARSET_RE = re.compile(r"\b(?:CHARACTER\s+SET|CHARSET)\s*=?\s*'?(\w+)", re.I)


def _bytes_per_char(raw_type: str, collation: str | None, table: Table | None) -> int:
    if "varbinary" in raw_type.lower():
        return 1
    return _BYTES_PER_CHAR.get(_charset_name(raw_type, collation, table), 4)


def _charset_name(raw_type: str, collation: str | None, table: Table | None) -> str:
    """The column's character set as far as the DDL tells; utf8mb4 (the MySQL 8.0 default) otherwise."""
    match = _CHARSET_RE.search(raw_type)
    charset = match.group(1).lower() if match else None
    if charset is None and collation:
        charset = collation.split("_")[0].lower()
    if charset is None and table is not None:
        options = {k.upper(): v for k, v in table.engine_options.items()}
        value = options.get("CHARSET") or options.get("DEFAULT CHARSET") or options.get("CHARACTER SET")
        if value is None and options.get("COLLATE"):
            value = options["COLLATE"].split("_")[0]
        charset = value.lower() if value else None
    return "utf8mb3" if charset == "utf8" else charset or "utf8mb4"


def _varchar_length(raw_type: str) -> int | None:
    norm = normalize_type(raw_type, Engine.MYSQL)
    base = raw_type.strip().lower()
    if norm.kind is not TypeKind.VARCHAR and not base.startswith("varbinary"):
        return None
    match = re.search(r"\(\s*(\d+)\s*\)", raw_type)
    return int(match.group(1)) if match else norm.length


def _type_key(raw_type: str) -> str:
    text = _CHARSET_RE.sub("", raw_type)
    text = re.sub(r"\bCOLLATE\s*=?\s*\w+", "", text, flags=re.I)
    text = " ".join(text.lower().replace(" (", "(").split())
    aliases = {"integer": "int", "bool": "tinyint(1)", "boolean": "tinyint(1)", "dec": "decimal"}
    for alias, canonical in aliases.items():
        if text == alias or text.startswith(alias + "("):
            text = canonical + text[len(alias) :]
    text = re.sub(r"^(tinyint|smallint|mediumint|int|bigint)\(\d+\)", r"\1", text)  # display widths
    return text.replace(", ", ",")


def _column_change(
    old: Column,
    new: ddl.ColumnSpec,
    table: Table | None,
    mariadb: bool,
    version: Version,
    charset: str | None = None,
) -> Iterator[tuple[Op, str]]:
    """The operations a MODIFY/CHANGE COLUMN amounts to, given the column as it was."""
    old_key, new_key = _type_key(old.raw_type), _type_key(new.raw_type)
    old_charset = _bytes_per_char(old.raw_type, old.attrs.get("collation"), table)
    new_charset = _bytes_per_char(new.raw_type, new.collation, table)
    old_name = _charset_name(old.raw_type, old.attrs.get("collation"), table)
    new_name = charset.lower() if charset else _charset_name(new.raw_type, new.collation, table)
    if new.generated is not None and new.generated_stored:
        yield Op.CHANGE_COLUMN_TYPE, "redefines a STORED generated column"
    elif charset is not None and old_name != new_name and _is_text(old.raw_type):
        yield Op.CONVERT_CHARSET, f"{old.name}: {old_name} -> {new_name}"
    elif old.kind is TypeKind.ENUM and _enum_appended(old, new):
        pass  # new ENUM members at the end, same storage size: metadata only (INSTANT)
    elif old_key != new_key or old_charset != new_charset:
        old_len, new_len = _varchar_length(old.raw_type), _varchar_length(new.raw_type)
        if old_len is not None and new_len is not None and new_len >= old_len and old_charset == new_charset:
            old_bytes, new_bytes = old_len * old_charset, new_len * new_charset
            same_prefix = (old_bytes <= 255) == (new_bytes <= 255)
            # MariaDB 10.4+: values of at most 127 bytes keep a 1-byte prefix, so it can extend instantly.
            if same_prefix or (mariadb and version >= Version(10, 4) and old_bytes <= 127):
                if new_len > old_len:
                    yield (
                        Op.EXTEND_VARCHAR,
                        f"{old.raw_type} -> {new.raw_type} ({old_bytes} -> {new_bytes} bytes)",
                    )
            else:
                yield (
                    Op.EXTEND_VARCHAR_ACROSS_PREFIX,
                    f"{old.raw_type} -> {new.raw_type}: {old_bytes} -> {new_bytes} bytes, the length prefix "
                    "grows from 1 to 2 bytes",
                )
        else:
            yield Op.CHANGE_COLUMN_TYPE, f"{old.raw_type} -> {new.raw_type}"
    if old.nullable and new.not_null:
        yield Op.MAKE_NOT_NULL, ""
    elif not old.nullable and not new.not_null and not _in_primary_key(table, old.name):
        yield Op.MAKE_NULL, ""
    if old.name != new.name:
        yield Op.RENAME_COLUMN, f"{old.name} -> {new.name}"
    if (old.default or None) != (new.default or None):
        yield Op.SET_DEFAULT, ""
    if new.autoincrement and not old.autoincrement:
        yield Op.CHANGE_COLUMN_TYPE, "adds AUTO_INCREMENT"


def _is_text(raw_type: str) -> bool:
    return normalize_type(raw_type, Engine.MYSQL).kind in (
        TypeKind.CHAR,
        TypeKind.VARCHAR,
        TypeKind.TEXT,
        TypeKind.ENUM,
    )


def _enum_appended(old: Column, new: ddl.ColumnSpec) -> bool:
    values = normalize_type(new.raw_type, Engine.MYSQL).enum_values
    before = old.enum_values
    return (
        len(values) > len(before)
        and tuple(values[: len(before)]) == tuple(before)
        and (len(before) <= 255) == (len(values) <= 255)
    )


def _in_primary_key(table: Table | None, column: str) -> bool:
    return bool(table and table.primary_key and column in table.primary_key.columns)


_POSITION_RE = r"\b(?:FIRST|AFTER\s+[`\"]?\w+[`\"]?)"


def _clauses(step: MigrationStep, column: str, verb: str) -> Iterator[str]:
    """The text after ``ADD [COLUMN] column`` or ``MODIFY/CHANGE [COLUMN] column`` up to the next clause."""
    code = _code(step.statement.text)
    ident = r"[`\"]?" + re.escape(column) + r"[`\"]?"
    if verb == "add":
        head = rf"\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?{ident}\s"
    else:
        head = rf"\b(?:MODIFY|CHANGE)\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?{ident}\s"
    for match in re.finditer(head, _blank_quotes_keep_idents(step.statement.text), re.I):
        yield code[match.end() : _clause_end(code, match.end())]


def _placed(step: MigrationStep, column: str, verb: str) -> bool:
    """ADD/MODIFY/CHANGE ... FIRST | AFTER x for ``column``, read from the statement text."""
    return any(re.search(_POSITION_RE, clause, re.I) for clause in _clauses(step, column, verb))


def _written_charset(step: MigrationStep, column: str) -> str | None:
    """``CHARACTER SET x`` written in a MODIFY/CHANGE clause (the parser keeps it out of the type)."""
    for clause in _clauses(step, column, "modify"):
        match = _CHARSET_RE.search(clause)
        if match:
            return match.group(1)
    return None


def _blank_quotes_keep_idents(text: str) -> str:
    return re.sub(
        r"'(?:[^'\\]|\\.|'')*'|--[^\n]*|/\*.*?\*/", lambda m: " " * len(m.group(0)), text, flags=re.S
    )


def _clause_end(code: str, start: int) -> int:
    depth = 0
    for i in range(start, len(code)):
        ch = code[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in ",;" and depth <= 0:
            return i
    return len(code)


def _explicit_position(action: ddl.AddColumn | ddl.ReplaceColumn) -> bool | None:
    """The parser's answer to "is a position given", once it reports one; None while it does not."""
    for holder in (action, action.column):
        for attr in (
            "after",
            "first",
            "place",
            "placement",
            "position",
            "column_position",
            "position_clause",
        ):
            value = getattr(holder, attr, None)
            if value is not None and not isinstance(value, ddl.Position):
                return bool(value)
    return None


def plan(step: MigrationStep, version: Version | None) -> list[AlterPlan]:
    """Each table the statement alters, with the operations it performs; empty for other statements."""
    version = effective(version)
    mariadb = is_mariadb(version)
    algorithm, lock = requested_options(step)
    by_table: dict[tuple[str | None, str], list[Operation]] = {}
    names: dict[tuple[str | None, str], ddl.Name] = {}
    create_index = False
    fk_off: bool | None = None
    dropped_pk: set[tuple[str | None, str]] = set()
    added_pk: set[tuple[str | None, str]] = set()
    code = _code(step.statement.text)
    is_alter = bool(re.match(r"\s*ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\b", code, re.I))

    def add(name: ddl.Name, op: Op, column: str | None = None, detail: str = "") -> None:
        key = step.key(name)
        names.setdefault(key, name)
        by_table.setdefault(key, []).append(Operation(op, behaviour(op, version, mariadb), column, detail))

    for action in step.actions:
        match action:
            case ddl.AddColumn(table=name, column=spec):
                if spec.generated is not None:
                    add(
                        name,
                        Op.ADD_STORED_COLUMN if spec.generated_stored else Op.ADD_VIRTUAL_COLUMN,
                        spec.name,
                    )
                elif spec.autoincrement:
                    add(name, Op.ADD_COLUMN_AUTO_INCREMENT, spec.name)
                else:
                    placed = _explicit_position(action)
                    if placed is None:
                        placed = _placed(step, spec.name, "add")
                    add(name, Op.ADD_COLUMN_MIDDLE if placed else Op.ADD_COLUMN_LAST, spec.name)
                if any(c.kind == "primary" for c in spec.constraints):
                    add(name, Op.ADD_PRIMARY_KEY, spec.name)
                    added_pk.add(step.key(name))
                elif any(c.kind == "unique" for c in spec.constraints):
                    add(name, Op.ADD_INDEX, spec.name)
            case ddl.DropColumn(table=name, column=column):
                add(name, Op.DROP_COLUMN, column)
            case ddl.RenameColumn(table=name, old_name=old):
                add(name, Op.RENAME_COLUMN, old)
            case ddl.AlterColumnType(table=name, column=column, raw_type=raw_type):
                add(name, Op.CHANGE_COLUMN_TYPE, column, raw_type)
            case ddl.SetNotNull(table=name, column=column, not_null=not_null):
                add(name, Op.MAKE_NOT_NULL if not_null else Op.MAKE_NULL, column)
            case ddl.SetDefault(table=name, column=column):
                add(name, Op.SET_DEFAULT, column)
            case ddl.ReplaceColumn(table=name, old_name=old, column=spec):
                table = step.table(name)
                existing = table.column(old) if table is not None else None
                if existing is None:
                    detail = "the column's previous definition is not in the migrations read; assumed to change type"
                    add(name, Op.CHANGE_COLUMN_TYPE, old, detail)
                else:
                    charset = _written_charset(step, old)
                    ops = list(_column_change(existing, spec, table, mariadb, version, charset))
                    for op, detail in ops:
                        add(name, op, old, detail)
                    placed = _explicit_position(action)
                    if placed is None:
                        placed = _placed(step, old, "modify")
                    if placed:
                        add(name, Op.REORDER_COLUMN, old)
                    elif not ops:
                        add(name, Op.COLUMN_METADATA, old)
            case ddl.AddConstraint(table=name, constraint=spec):
                if spec.kind == "primary":
                    add(name, Op.ADD_PRIMARY_KEY)
                    added_pk.add(step.key(name))
                elif spec.kind == "foreign":
                    if fk_off is None:
                        fk_off = foreign_key_checks_off(step)
                    add(name, Op.ADD_FOREIGN_KEY_NO_CHECKS if fk_off else Op.ADD_FOREIGN_KEY, spec.name)
                elif spec.kind == "check":
                    add(name, Op.ADD_CHECK, spec.name)
                elif spec.method == "fulltext":
                    add(name, Op.ADD_FULLTEXT_INDEX, spec.name)
                elif spec.method == "spatial":
                    add(name, Op.ADD_SPATIAL_INDEX, spec.name)
                else:
                    add(name, Op.ADD_INDEX, spec.name)
            case ddl.DropConstraint(table=name, kind="primary"):
                add(name, Op.DROP_PRIMARY_KEY)
                dropped_pk.add(step.key(name))
            case ddl.DropConstraint(table=name, kind="foreign", name=constraint):
                add(name, Op.DROP_FOREIGN_KEY, constraint)
            case ddl.DropConstraint(table=name, name=constraint):
                add(name, Op.DROP_INDEX, constraint)
            case ddl.RenameConstraint(table=name, old_name=old):
                add(name, Op.RENAME_INDEX, old)
            case ddl.RenameTable(table=name) if is_alter:
                add(name, Op.RENAME_TABLE)
            case ddl.CreateIndex(table=name, method=method, name=index):
                create_index = True
                method = (method or "").lower()
                written = _CREATE_INDEX_RE.match(_blank_quotes_keep_idents(step.statement.text))
                if written is not None and written.group(1):
                    method = written.group(1).lower()
                op = {"fulltext": Op.ADD_FULLTEXT_INDEX, "spatial": Op.ADD_SPATIAL_INDEX}.get(
                    method, Op.ADD_INDEX
                )
                add(name, op, index)
            case ddl.Rewrite(command=command, tables=tables) if is_alter:
                words = command.upper()
                if "CONVERT" in words or "CHARACTER SET" in words:
                    rewrite = Op.CONVERT_CHARSET
                elif "ENGINE" in words:
                    rewrite = _engine_op(step, tables[0] if tables else None, words)
                else:
                    rewrite = Op.NULL_REBUILD
                for table_name in tables:
                    add(table_name, rewrite)
    written = (
        _CREATE_INDEX_RE.match(_blank_quotes_keep_idents(step.statement.text)) if not step.actions else None
    )
    if written is not None:  # a CREATE INDEX form the parser did not turn into an action
        create_index = True
        kind = (written.group(1) or "").upper()
        op = {"FULLTEXT": Op.ADD_FULLTEXT_INDEX, "SPATIAL": Op.ADD_SPATIAL_INDEX}.get(kind, Op.ADD_INDEX)
        add(
            ddl.Name(_unquote(written.group(4)), _unquote(written.group(3)) if written.group(3) else None), op
        )
    # Table options the parser may not report: read them from the ALTER TABLE text.
    target = _alter_target(step) if is_alter else None
    if target is not None:
        seen = {o.op for o in by_table.get(step.key(target), [])}
        engine = _ENGINE_RE.search(code)
        fallbacks = (
            (Op.CONVERT_CHARSET, _CONVERT_RE.search(code) is not None),
            (Op.NULL_REBUILD, _FORCE_RE.search(code) is not None),
            (Op.ROW_FORMAT, _ROW_FORMAT_RE.search(code) is not None),
        )
        for op, present in fallbacks:
            if present and op not in seen:
                add(target, op)
        if engine is not None and not seen & {Op.NULL_REBUILD, Op.CHANGE_ENGINE}:
            add(target, _engine_op(step, target, "ENGINE=" + engine.group(1)))
    for key, operations in by_table.items():
        by_table[key] = _without_instant(step.table(names[key]), operations)
    for key in dropped_pk & added_pk:
        operations = [o for o in by_table[key] if o.op not in (Op.DROP_PRIMARY_KEY, Op.ADD_PRIMARY_KEY)]
        op = Op.REPLACE_PRIMARY_KEY
        operations.append(Operation(op, behaviour(op, version, mariadb)))
        by_table[key] = operations
    return [
        AlterPlan(names[key], tuple(ops), version, mariadb, algorithm, lock, create_index)
        for key, ops in by_table.items()
        if ops
    ]


_IDENT = r"(`[^`]+`|\"[^\"]+\"|[\w$]+)"
_CREATE_INDEX_RE = re.compile(
    rf"\s*CREATE\s+(?:(UNIQUE|FULLTEXT|SPATIAL)\s+)?INDEX\s+{_IDENT}\s+(?:USING\s+\w+\s+)?ON\s+(?:{_IDENT}\.)?{_IDENT}",
    re.I,
)


def _unquote(name: str) -> str:
    return name[1:-1] if name[:1] in '`"' and name[-1:] == name[:1] else name


# Operations InnoDB cannot do INSTANT on a table with a FULLTEXT index or ROW_FORMAT=COMPRESSED
# (MySQL 8.0 manual, "Column Operations"; checked on MariaDB 10.11): they fall back to a rebuild in place.
_NO_INSTANT_WITH_FULLTEXT = frozenset(
    {Op.ADD_COLUMN_LAST, Op.ADD_COLUMN_MIDDLE, Op.DROP_COLUMN, Op.REORDER_COLUMN, Op.MAKE_NULL}
)


def _without_instant(table: Table | None, operations: list[Operation]) -> list[Operation]:
    if table is None:
        return operations
    fulltext = any(index.method.lower() == "fulltext" for index in table.indexes)
    options = {k.upper(): v.upper() for k, v in table.engine_options.items()}
    compressed = options.get("ROW_FORMAT") == "COMPRESSED"
    if not fulltext and not compressed:
        return operations
    why = "the table has a FULLTEXT index" if fulltext else "the table is ROW_FORMAT=COMPRESSED"
    adjusted = []
    for operation in operations:
        if operation.op in _NO_INSTANT_WITH_FULLTEXT and operation.behaviour.algorithm is Algorithm.INSTANT:
            detail = f"not INSTANT: {why}"
            operation = Operation(operation.op, INPLACE_REBUILD, operation.column, detail)
        elif operation.op is Op.ADD_FULLTEXT_INDEX and fulltext:
            detail = "another FULLTEXT index exists: no rebuild, but writes are still blocked"
            operation = Operation(operation.op, INPLACE_NO_DML, operation.column, detail)
        adjusted.append(operation)
    return adjusted


def _engine_op(step: MigrationStep, name: ddl.Name | None, words: str) -> Op:
    """ENGINE=InnoDB on an InnoDB table is a rebuild in place; moving to another engine is a copy."""
    target = words.split("=", 1)[-1].strip().split()[0].upper() if "=" in words else words.split()[-1].upper()
    table = step.table(name) if name is not None else None
    current = None
    if table is not None:
        current = {k.upper(): v for k, v in table.engine_options.items()}.get("ENGINE")
    if target == "INNODB" and (current is None or current.upper() == "INNODB"):
        return Op.NULL_REBUILD
    if current is not None and current.upper() == target:
        return Op.NULL_REBUILD
    return Op.CHANGE_ENGINE


def _alter_target(step: MigrationStep) -> ddl.Name | None:
    for action in step.actions:
        name = getattr(action, "table", None)
        if isinstance(name, ddl.Name):
            return name
    match = re.match(
        r"\s*ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s+(?:[`\"]?(\w+)[`\"]?\.)?[`\"]?(\w+)[`\"]?",
        step.statement.text,
        re.I,
    )
    if match is None:
        return None
    return ddl.Name(match.group(2), match.group(1))


# ---------------------------------------------------------------------------------------------
# Rewriting the statement for fixes

_ALTER_HEAD_RE = re.compile(
    r"\s*(ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s+(?:`[^`]+`|\"[^\"]+\"|[\w$]+)(?:\.(?:`[^`]+`|\"[^\"]+\"|[\w$]+))?)",
    re.I,
)
_OPTION_CLAUSE_RE = re.compile(r"^(ALGORITHM|LOCK)\s*=?\s*\w+$", re.I)


def statement_sql(step: MigrationStep) -> str:
    return step.statement.text.strip().rstrip(";").strip()


def split_alter(step: MigrationStep) -> tuple[str, list[str]] | None:
    """``ALTER TABLE name`` and its clauses (ALGORITHM=/LOCK= left out); None for other statements."""
    text = statement_sql(step)
    head = _ALTER_HEAD_RE.match(text)
    if head is None:
        return None
    body, code = text[head.end() :], _code(text)[head.end() :]
    clauses: list[str] = []
    start = depth = 0
    for i, ch in enumerate(code):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            clauses.append(body[start:i])
            start = i + 1
    clauses.append(body[start:])
    kept = [" ".join(c.split()) for c in clauses if c.strip()]
    return head.group(1), [c for c in kept if not _OPTION_CLAUSE_RE.match(c)]


def with_options(step: MigrationStep, algorithm: str | None, lock: str | None = None) -> str:
    """The statement with its ALGORITHM=/LOCK= clauses replaced by these (None: left out)."""
    options = [f"ALGORITHM={algorithm}" if algorithm else "", f"LOCK={lock}" if lock else ""]
    options = [o for o in options if o]
    parts = split_alter(step)
    if parts is not None:
        head, clauses = parts
        return f"{head} {', '.join([*clauses, *options])};"
    text = _OPTION_RE.sub("", statement_sql(step)).rstrip()
    text = " ".join(text.split())
    return f"{text} {' '.join(options)};".replace(" ;", ";")


_COLUMN_CLAUSE_RE = re.compile(
    r"^(?:ADD\s+(?:COLUMN\s+)?(?!(?:INDEX|KEY|CONSTRAINT|PRIMARY|UNIQUE|FULLTEXT|SPATIAL|FOREIGN|CHECK|PARTITION)\b)"
    r"|DROP\s+(?:COLUMN\s+)?(?!(?:INDEX|KEY|CONSTRAINT|PRIMARY|FOREIGN|CHECK|PARTITION)\b)"
    r"|RENAME\s+COLUMN\b|ALTER\s+(?:COLUMN\s+)?\S+\s+(?:SET|DROP)\s+DEFAULT\b)",
    re.I,
)


def is_column_clause(clause: str) -> bool:
    """ADD/DROP COLUMN, RENAME COLUMN, ALTER COLUMN ... SET/DROP DEFAULT: operations that can be INSTANT."""
    return _COLUMN_CLAUSE_RE.match(clause) is not None


def gh_ost_command(step: MigrationStep, table: str) -> str:
    parts = split_alter(step)
    alter = ", ".join(parts[1]) if parts else statement_sql(step)
    alter = alter.replace('"', '\\"')
    return (
        f'-- gh-ost --table="{table}" --alter="{alter}" --execute\n'
        f'-- or: pt-online-schema-change --alter "{alter}" D=<database>,t={table} --execute'
    )
