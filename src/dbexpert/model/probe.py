"""Bounded, read-only questions a rule may ask a live database, answered by the engine.

Rules never open connections. In live mode the engine hands them a :class:`LiveProbe`; in static
mode they get ``None`` and report what the schema alone shows. Every probe is bounded (LIMIT or
a sample) and runs inside the engine's read-only session with its timeouts.
"""

from __future__ import annotations

from typing import Protocol

from dbexpert.model.catalog import Table
from dbexpert.model.errors import InputError


class LiveProbe(Protocol):
    def sample_values(self, table: Table, column: str, limit: int = 1000) -> list[str]:
        """Up to ``limit`` non-null values of ``column`` as text."""
        ...

    def count_orphans(
        self,
        child: Table,
        columns: tuple[str, ...],
        parent: Table,
        ref_columns: tuple[str, ...],
        limit: int = 10000,
    ) -> tuple[int, int]:
        """Among up to ``limit`` non-null child key values: (values checked, values with no parent row)."""
        ...


def checked_limit(limit: int) -> int:
    """A probe's row bound: probes are always bounded, so zero or less is a caller's error."""
    if limit < 1:
        raise InputError(f"probe limit must be positive, not {limit}")
    return limit


def check_key_pairs(columns: tuple[str, ...], ref_columns: tuple[str, ...]) -> None:
    """A foreign key's columns and the columns they reference must pair up one to one."""
    if not columns or len(columns) != len(ref_columns):
        raise InputError(
            f"key columns {list(columns)} and referenced columns {list(ref_columns)} do not pair up"
        )


def column_named(table: Table, name: str) -> str:
    """The column's name as the table spells it; unknown columns are the caller's error."""
    column = table.column(name)
    if column is None:
        raise InputError(f"table {table.qualified_name} has no column {name!r}")
    return column.name
