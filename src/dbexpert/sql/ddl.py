"""DDL as plain data: what a statement creates, changes or drops, independent of the parser that read it.

:func:`dbexpert.sql.ddl_actions.ddl_actions` turns a parsed :class:`~dbexpert.sql.parse.Statement` into a list of actions;
sources replay them into a catalog without ever touching a parser tree. Names are already folded
the way the engine folds them (unquoted PostgreSQL names are lower case). Positions are 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One key part of an index."""

    column: str | None = None
    expression: str | None = None
    descending: bool = False
    opclass: str | None = None
    collation: str | None = None
    prefix_length: int | None = None


@dataclass(frozen=True, slots=True)
class ReferenceSpec:
    table: Name
    columns: tuple[str, ...] = ()  # empty: the parent's primary key
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    deferrable: bool = False
    initially_deferred: bool = False


@dataclass(frozen=True, slots=True)
class ConstraintSpec:
    """A table constraint, or a MySQL index defined inside CREATE/ALTER TABLE (kind "index")."""

    kind: str  # "primary" | "unique" | "foreign" | "check" | "index" | "exclusion"
    name: str | None = None
    columns: tuple[str, ...] = ()
    keys: tuple[KeySpec, ...] = ()  # index key parts when they carry more than a column name
    expression: str | None = None  # CHECK expression; the whole EXCLUDE clause for "exclusion"
    reference: ReferenceSpec | None = None
    validated: bool = True
    using_index: str | None = None  # PostgreSQL ADD CONSTRAINT ... UNIQUE/PRIMARY KEY USING INDEX idx
    method: str | None = None  # USING BTREE/HASH, FULLTEXT, SPATIAL; the index method of EXCLUDE
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    raw_type: str
    not_null: bool = False
    default: str | None = None
    identity: str | None = None  # "always" | "by default"
    autoincrement: bool = False
    generated: str | None = None
    generated_stored: bool | None = None
    comment: str | None = None
    collation: str | None = None
    constraints: tuple[ConstraintSpec, ...] = ()  # inline PRIMARY KEY / UNIQUE / REFERENCES / CHECK
    position: Position | None = None
    placement: str | None = None  # MySQL ADD/MODIFY/CHANGE COLUMN ... "FIRST" or "AFTER <column>"


@dataclass(frozen=True, slots=True)
class CreateTable:
    table: Name
    columns: tuple[ColumnSpec, ...]
    constraints: tuple[ConstraintSpec, ...] = ()
    if_not_exists: bool = False
    temporary: bool = False
    partitioned: bool = False
    options: tuple[tuple[str, str], ...] = ()  # ("ENGINE", "InnoDB"), ("WITHOUT ROWID", "")
    comment: str | None = None
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class CreateIndex:
    table: Name
    keys: tuple[KeySpec, ...]
    name: str | None = None
    unique: bool = False
    method: str | None = None
    where: str | None = None
    include: tuple[str, ...] = ()
    concurrently: bool = False
    if_not_exists: bool = False
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class AddColumn:
    table: Name
    column: ColumnSpec
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class DropColumn:
    table: Name
    column: str
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class AlterColumnType:
    table: Name
    column: str
    raw_type: str
    using: str | None = None  # USING expression: PostgreSQL recomputes every row


@dataclass(frozen=True, slots=True)
class SetNotNull:
    table: Name
    column: str
    not_null: bool


@dataclass(frozen=True, slots=True)
class SetDefault:
    table: Name
    column: str
    default: str | None  # None: DROP DEFAULT


@dataclass(frozen=True, slots=True)
class ReplaceColumn:
    """MySQL MODIFY/CHANGE COLUMN: the column is redefined as a whole (and maybe renamed)."""

    table: Name
    old_name: str
    column: ColumnSpec


@dataclass(frozen=True, slots=True)
class AddConstraint:
    table: Name
    constraint: ConstraintSpec


@dataclass(frozen=True, slots=True)
class ValidateConstraint:
    table: Name
    name: str


@dataclass(frozen=True, slots=True)
class DropConstraint:
    table: Name
    name: str | None  # None with kind "primary": MySQL DROP PRIMARY KEY
    kind: str | None = None  # "primary" | "foreign" | "index" | "check" when the syntax says so
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class RenameTable:
    table: Name
    new_name: str


@dataclass(frozen=True, slots=True)
class RenameColumn:
    table: Name
    old_name: str
    new_name: str


@dataclass(frozen=True, slots=True)
class RenameConstraint:
    table: Name
    old_name: str
    new_name: str


@dataclass(frozen=True, slots=True)
class Drop:
    kind: str  # "table" | "index" | "view" | "type" | "sequence"
    names: tuple[Name, ...]
    if_exists: bool = False
    table: Name | None = None  # MySQL DROP INDEX i ON t
    concurrently: bool = False
    cascade: bool = False


@dataclass(frozen=True, slots=True)
class CreateEnum:
    name: Name
    values: tuple[str, ...]
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class AddEnumValue:
    name: Name
    value: str
    neighbor: str | None = None
    after: bool = True
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class CreateSequence:
    name: Name
    data_type: str | None = None
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cycle: bool = False
    owned_by: tuple[str, ...] = ()  # (table, column) or (schema, table, column)
    if_not_exists: bool = False
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class CreateView:
    name: Name
    definition: str | None
    materialized: bool = False
    replace: bool = False
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    target: str  # "table" | "column"
    table: Name
    column: str | None
    text: str | None  # None: COMMENT ... IS NULL removes it


# Statements that matter to migration safety rather than to the catalog's shape.


@dataclass(frozen=True, slots=True)
class Reindex:
    kind: str  # "index" | "table" | "schema" | "database" | "system"
    name: Name
    concurrently: bool = False


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A command that rewrites a whole table under an ACCESS EXCLUSIVE lock."""

    command: str  # "VACUUM FULL" | "CLUSTER" | "SET LOGGED" | "SET UNLOGGED" | "OPTIMIZE TABLE"
    tables: tuple[Name, ...]  # empty: every table of the database (VACUUM FULL, CLUSTER)


@dataclass(frozen=True, slots=True)
class LockTable:
    tables: tuple[Name, ...]
    mode: str  # "ACCESS EXCLUSIVE", "SHARE", ... as written (MySQL: "WRITE" / "READ")


@dataclass(frozen=True, slots=True)
class Truncate:
    tables: tuple[Name, ...]
    cascade: bool = False


@dataclass(frozen=True, slots=True)
class DataChange:
    """INSERT/UPDATE/DELETE in a migration (a backfill)."""

    kind: str  # "insert" | "update" | "delete"
    table: Name
    has_where: bool = False
    has_limit: bool = False  # LIMIT or a bounded key range, i.e. one batch of a batched backfill
    from_select: bool = False  # INSERT ... SELECT


@dataclass(frozen=True, slots=True)
class SetSetting:
    name: str  # lower case: "lock_timeout", "statement_timeout", "lock_wait_timeout", ...
    value: str | None  # None: RESET / SET ... TO DEFAULT
    local: bool = False  # SET LOCAL: until the end of the transaction


@dataclass(frozen=True, slots=True)
class TransactionControl:
    kind: str  # "begin" | "commit" | "rollback"


@dataclass(frozen=True, slots=True)
class RenameEnumValue:
    name: Name
    old_value: str
    new_value: str


@dataclass(frozen=True, slots=True)
class DetachPartition:
    table: Name
    partition: Name
    concurrently: bool = False
    finalize: bool = False


@dataclass(frozen=True, slots=True)
class AttachPartition:
    table: Name
    partition: Name


@dataclass(frozen=True, slots=True)
class AlterTableOptions:
    """MySQL ``ALGORITHM=`` / ``LOCK=`` clauses of an ALTER TABLE (they apply to the whole statement)."""

    table: Name
    algorithm: str | None = None  # "INSTANT" | "INPLACE" | "COPY" | "DEFAULT"
    lock: str | None = None  # "NONE" | "SHARED" | "EXCLUSIVE" | "DEFAULT"


Action = (
    CreateTable
    | CreateIndex
    | AddColumn
    | DropColumn
    | AlterColumnType
    | SetNotNull
    | SetDefault
    | ReplaceColumn
    | AddConstraint
    | ValidateConstraint
    | DropConstraint
    | RenameTable
    | RenameColumn
    | RenameConstraint
    | Drop
    | CreateEnum
    | AddEnumValue
    | CreateSequence
    | CreateView
    | Comment
    | Reindex
    | Rewrite
    | LockTable
    | Truncate
    | DataChange
    | SetSetting
    | TransactionControl
    | RenameEnumValue
    | DetachPartition
    | AttachPartition
    | AlterTableOptions
)
