"""Which lock each statement takes in PostgreSQL, as data (the documentation's "Table-Level Locks").

Used to know what a statement blocks, and what an open transaction keeps holding after it.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbexpert.sql import ddl

ACCESS_SHARE = "ACCESS SHARE"
ROW_SHARE = "ROW SHARE"
ROW_EXCLUSIVE = "ROW EXCLUSIVE"
SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE"
SHARE = "SHARE"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
EXCLUSIVE = "EXCLUSIVE"
ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"

STRENGTH = {
    ACCESS_SHARE: 1,
    ROW_SHARE: 2,
    ROW_EXCLUSIVE: 3,
    SHARE_UPDATE_EXCLUSIVE: 4,
    SHARE: 5,
    SHARE_ROW_EXCLUSIVE: 6,
    EXCLUSIVE: 7,
    ACCESS_EXCLUSIVE: 8,
}

# What a lock blocks, for messages: reads are blocked only by ACCESS EXCLUSIVE, writes from SHARE up.
BLOCKS = {
    ACCESS_EXCLUSIVE: "all reads and writes",
    EXCLUSIVE: "writes and SELECT ... FOR UPDATE",
    SHARE_ROW_EXCLUSIVE: "writes",
    SHARE: "writes",
    SHARE_UPDATE_EXCLUSIVE: "other schema changes and VACUUM, not reads or writes",
    ROW_EXCLUSIVE: "nothing ordinary (only SHARE and stronger locks)",
}

# ALTER TABLE forms that do not take ACCESS EXCLUSIVE; everything else in ALTER TABLE does.
_ALTER_TABLE_LOCK: dict[type, str] = {
    ddl.ValidateConstraint: SHARE_UPDATE_EXCLUSIVE,
}


def blocks_writes(mode: str) -> bool:
    return STRENGTH.get(mode, 0) >= STRENGTH[SHARE]


def table_locks(action: ddl.Action) -> Iterator[tuple[ddl.Name, str]]:
    """(table, lock mode) pairs an action takes on PostgreSQL; nothing for actions on other objects."""
    match action:
        case ddl.CreateIndex():
            yield action.table, SHARE_UPDATE_EXCLUSIVE if action.concurrently else SHARE
        case ddl.AddConstraint(constraint=spec) if spec.kind == "foreign" and spec.reference is not None:
            yield action.table, SHARE_ROW_EXCLUSIVE
            yield spec.reference.table, SHARE_ROW_EXCLUSIVE
        case ddl.AddColumn() | ddl.DropColumn() | ddl.AlterColumnType() | ddl.SetNotNull() | ddl.SetDefault():
            yield action.table, ACCESS_EXCLUSIVE
        case ddl.AddConstraint() | ddl.DropConstraint() | ddl.RenameColumn() | ddl.RenameConstraint():
            yield action.table, ACCESS_EXCLUSIVE
        case ddl.RenameTable() | ddl.ReplaceColumn():
            yield action.table, ACCESS_EXCLUSIVE
        case ddl.ValidateConstraint():
            yield action.table, _ALTER_TABLE_LOCK[ddl.ValidateConstraint]
        case ddl.Drop(kind="table"):
            for name in action.names:
                yield name, ACCESS_EXCLUSIVE
        case ddl.Drop(kind="index") if action.table is not None:
            yield action.table, SHARE_UPDATE_EXCLUSIVE if action.concurrently else ACCESS_EXCLUSIVE
        case ddl.Rewrite():
            for name in action.tables:
                yield name, ACCESS_EXCLUSIVE
        case ddl.LockTable():
            mode = " ".join(action.mode.upper().split())
            for name in action.tables:
                yield name, mode if mode in STRENGTH else ACCESS_EXCLUSIVE
        case ddl.Truncate():
            for name in action.tables:
                yield name, ACCESS_EXCLUSIVE
        case ddl.DataChange():
            yield action.table, ROW_EXCLUSIVE
        case ddl.DetachPartition():
            yield action.table, SHARE_UPDATE_EXCLUSIVE if action.concurrently else ACCESS_EXCLUSIVE
            yield action.partition, ACCESS_EXCLUSIVE
        case ddl.AttachPartition():
            yield action.table, SHARE_UPDATE_EXCLUSIVE
            yield action.partition, ACCESS_EXCLUSIVE
