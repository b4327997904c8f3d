"""The neutral picture of a database's schema: tables, columns, keys, indexes and their statistics.

Every engine and every file source produces a :class:`Catalog`; rules only ever read one.
All classes are frozen and slotted. Sequences of names are tuples (immutable), and key columns
are always sequences so composite keys work everywhere. ``attrs`` carries engine-specific facts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from dbexpert.model.location import Location

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return _EMPTY


class Engine(StrEnum):
    """A database engine family. MySQL and MariaDB share ``MYSQL``; ``Catalog.flavor`` tells them apart."""

    POSTGRES = "postgres"
    MYSQL = "mysql"
    SQLITE = "sqlite"
    MONGODB = "mongodb"
    REDIS = "redis"
    DYNAMODB = "dynamodb"


class StatsSource(StrEnum):
    """Where a statistic came from."""

    LIVE = "live"  # the server's own statistics views
    SAMPLE = "sample"  # computed by dbexpert from a bounded sample
    NONE = "none"  # static input (DDL, ORM code): no statistics


class TypeKind(StrEnum):
    """A column type normalized across engines, so rules need not know every spelling."""

    SMALLINT = "smallint"
    INTEGER = "integer"
    BIGINT = "bigint"
    NUMERIC = "numeric"
    FLOAT = "float"
    MONEY = "money"
    BOOLEAN = "boolean"
    CHAR = "char"
    VARCHAR = "varchar"
    TEXT = "text"
    UUID = "uuid"
    BINARY = "binary"
    DATE = "date"
    TIME = "time"
    TIMESTAMP = "timestamp"  # without time zone (MySQL DATETIME too)
    TIMESTAMPTZ = "timestamptz"  # an instant (MySQL TIMESTAMP too)
    INTERVAL = "interval"
    JSON = "json"
    JSONB = "jsonb"
    ENUM = "enum"
    ARRAY = "array"
    OTHER = "other"


INTEGER_KINDS = frozenset({TypeKind.SMALLINT, TypeKind.INTEGER, TypeKind.BIGINT})
STRING_KINDS = frozenset({TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT})


@dataclass(frozen=True, slots=True)
class Version:
    """A server version, comparable: ``Version(15, 4) >= Version(15)``."""

    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> Version:
        """Parse the leading ``major[.minor[.patch]]`` of a version string ("15.4 (Debian…)", "10.11.6-MariaDB")."""
        digits: list[int] = []
        for part in text.strip().split(" ")[0].split("-")[0].split("."):
            number = "".join(ch for ch in part if ch.isdigit())
            if not number:
                break
            digits.append(int(number))
        if not digits:
            raise ValueError(f"not a version: {text!r}")
        while len(digits) < 3:
            digits.append(0)
        return cls(digits[0], digits[1], digits[2])

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Version) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Version) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Version) -> bool:
        return self._key() >= other._key()

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True, slots=True)
class ColumnStats:
    """Per-column statistics. ``distinct`` is an absolute estimate of distinct values (never a ratio)."""

    source: StatsSource = StatsSource.LIVE
    null_fraction: float | None = None
    distinct: float | None = None
    avg_width: int | None = None
    most_common_values: tuple[str, ...] = ()
    most_common_freqs: tuple[float, ...] = ()
    # How closely the physical row order follows the column's order (PostgreSQL pg_stats.correlation,
    # -1..1); near ±1 a block sample sees a value's rows together, and ``distinct`` comes out low.
    correlation: float | None = None
    statistics_target: int | None = None  # PostgreSQL: ANALYZE samples 300 × the table's largest target


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    raw_type: str  # exactly as the engine or the DDL spells it
    kind: TypeKind
    nullable: bool = True
    default: str | None = None
    length: int | None = None  # varchar(n), char(n), binary(n)
    precision: int | None = None
    scale: int | None = None
    identity: str | None = None  # "always" | "by default" (SQL standard identity)
    autoincrement: bool = False  # serial/bigserial, AUTO_INCREMENT, SQLite INTEGER PRIMARY KEY AUTOINCREMENT
    generated: str | None = None  # generation expression of a generated column
    enum_values: tuple[str, ...] = ()  # MySQL ENUM(...) or a PostgreSQL enum type's labels
    comment: str | None = None
    stats: ColumnStats | None = None
    location: Location | None = None
    attrs: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True)
class PrimaryKey:
    columns: tuple[str, ...]
    name: str | None = None
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class UniqueConstraint:
    columns: tuple[str, ...]
    name: str | None = None
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class CheckConstraint:
    expression: str
    name: str | None = None
    validated: bool = True
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    ref_schema: str | None = None
    name: str | None = None
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    deferrable: bool = False
    initially_deferred: bool = False
    validated: bool = True  # False for PostgreSQL NOT VALID
    location: Location | None = None
    attrs: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True)
class IndexKey:
    """One key part of an index: a column, or an expression (then ``column`` is None)."""

    column: str | None = None
    expression: str | None = None
    descending: bool = False
    opclass: str | None = None
    collation: str | None = None
    prefix_length: int | None = None  # MySQL prefix index: KEY (name(10))

    @property
    def text(self) -> str:
        """The column name, or the expression text in parentheses."""
        if self.column is not None:
            return self.column
        return f"({self.expression})"


@dataclass(frozen=True, slots=True)
class IndexStats:
    source: StatsSource = StatsSource.LIVE
    scans: int | None = None  # index scans since the statistics were reset
    size_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    keys: tuple[IndexKey, ...]
    unique: bool = False
    primary: bool = False  # the index that backs the primary key
    constraint: str | None = None  # name of the PK/UNIQUE/EXCLUDE constraint it enforces, if any
    method: str = "btree"
    where: str | None = None  # predicate of a partial index
    include: tuple[str, ...] = ()  # non-key INCLUDE columns
    valid: bool = True  # False for a failed CREATE INDEX CONCURRENTLY
    stats: IndexStats | None = None
    location: Location | None = None
    attrs: Mapping[str, Any] = field(default_factory=_empty)

    @property
    def columns(self) -> tuple[str, ...]:
        """Key parts in order: column names, expressions as ``(expr)``."""
        return tuple(key.text for key in self.keys)

    @property
    def expressions(self) -> tuple[str, ...]:
        return tuple(key.expression for key in self.keys if key.expression is not None)

    @property
    def enforces_constraint(self) -> bool:
        return self.primary or self.constraint is not None


@dataclass(frozen=True, slots=True)
class TableStats:
    source: StatsSource = StatsSource.LIVE
    row_estimate: int | None = None
    table_bytes: int | None = None
    total_bytes: int | None = None  # with indexes and TOAST
    seq_scans: int | None = None
    index_scans: int | None = None
    inserts: int | None = None
    updates: int | None = None
    deletes: int | None = None
    dead_rows: int | None = None
    last_analyzed: datetime | None = None


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    schema: str | None = None
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    uniques: tuple[UniqueConstraint, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    kind: str = "table"  # "table" | "partitioned" | "foreign" | "temporary"
    engine_options: Mapping[str, str] = field(
        default_factory=_empty
    )  # e.g. MySQL ENGINE=InnoDB, SQLite WITHOUT ROWID
    comment: str | None = None
    stats: TableStats | None = None
    location: Location | None = None
    attrs: Mapping[str, Any] = field(default_factory=_empty)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        folded = name.lower()
        for column in self.columns:
            if column.name.lower() == folded:
                return column
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def unique_column_sets(self) -> list[frozenset[str]]:
        """Column sets guaranteed unique: the primary key, UNIQUE constraints, and full (non-partial) unique indexes."""
        sets: list[frozenset[str]] = []
        if self.primary_key:
            sets.append(frozenset(self.primary_key.columns))
        sets.extend(frozenset(u.columns) for u in self.uniques)
        sets.extend(
            frozenset(i.columns)
            for i in self.indexes
            if i.unique and i.where is None and not i.expressions and i.valid
        )
        return sets


@dataclass(frozen=True, slots=True)
class Sequence:
    name: str
    schema: str | None = None
    data_type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int | None = None
    max_value: int | None = None
    last_value: int | None = None  # None when never used or unknown (static input)
    cycle: bool = False
    owned_by: tuple[str, str] | None = None  # (table, column) for serial/identity sequences
    location: Location | None = None
    attrs: Mapping[str, Any] = field(default_factory=_empty)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True, slots=True)
class EnumType:
    name: str
    values: tuple[str, ...]
    schema: str | None = None
    location: Location | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True, slots=True)
class View:
    name: str
    definition: str | None = None
    schema: str | None = None
    materialized: bool = False
    location: Location | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True, slots=True)
class Catalog:
    """Everything known about one database's schema, from a live server or from files."""

    engine: Engine
    tables: tuple[Table, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    enums: tuple[EnumType, ...] = ()
    views: tuple[View, ...] = ()
    version: Version | None = None
    flavor: str | None = None  # "mariadb" | "mysql" for Engine.MYSQL
    database: str | None = None
    default_schema: str | None = None  # "public" on PostgreSQL, the database on MySQL, "main" on SQLite
    source: StatsSource = StatsSource.NONE  # LIVE when read from a server
    settings: Mapping[str, str] = field(default_factory=_empty)
    stats_reset: datetime | None = None
    collected_at: datetime | None = None
    attrs: Mapping[str, Any] = field(default_factory=_empty)

    @property
    def live(self) -> bool:
        return self.source is StatsSource.LIVE

    def iter_tables(self) -> Iterator[Table]:
        return iter(self.tables)

    def table(self, name: str, schema: str | None = None) -> Table | None:
        """Find a table by name, in ``schema`` or else in the default schema, or anywhere if unambiguous."""
        wanted_schema = schema or self.default_schema
        candidates = [t for t in self.tables if t.name == name] or [
            t for t in self.tables if t.name.lower() == name.lower()
        ]
        for table in candidates:
            if table.schema == wanted_schema or (schema is None and table.schema is None):
                return table
        if schema is None and len(candidates) == 1:
            return candidates[0]
        return None

    def referenced_table(self, fk: ForeignKey, owner: Table) -> Table | None:
        return self.table(fk.ref_table, fk.ref_schema or owner.schema)

    def sequence(self, name: str, schema: str | None = None) -> Sequence | None:
        for seq in self.sequences:
            if seq.name == name and (schema is None or seq.schema == schema):
                return seq
        return None

    def enum(self, name: str, schema: str | None = None) -> EnumType | None:
        for enum in self.enums:
            if enum.name == name and (schema is None or enum.schema == schema):
                return enum
        return None
