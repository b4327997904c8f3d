"""Bounded, read-only questions rules may ask a live MySQL/MariaDB database (the LiveProbe protocol)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dbexpert.engines.mysql.queries import count_orphans_query, sample_values_query
from dbexpert.model import InputError, Table

Query = Callable[[str, Sequence[Any]], list[dict[str, Any]]]


class MysqlProbe:
    """Runs every probe through the session's ``run`` so it stays inside its read-only transaction."""

    def __init__(self, run: Query, default_schema: str) -> None:
        self._run = run
        self._schema = default_schema

    def sample_values(self, table: Table, column: str, limit: int = 1000) -> list[str]:
        found = _column_name(table, column)
        rows = self._run(
            sample_values_query(table.schema or self._schema, table.name, found), (_limit(limit),)
        )
        return [_as_text(row["value"]) for row in rows]

    def count_orphans(
        self,
        child: Table,
        columns: tuple[str, ...],
        parent: Table,
        ref_columns: tuple[str, ...],
        limit: int = 10000,
    ) -> tuple[int, int]:
        if not columns or len(columns) != len(ref_columns):
            raise InputError(
                f"foreign key columns {list(columns)} and referenced columns {list(ref_columns)} do not pair up"
            )
        sql = count_orphans_query(
            child.schema or self._schema,
            child.name,
            tuple(_column_name(child, c) for c in columns),
            parent.schema or self._schema,
            parent.name,
            tuple(_column_name(parent, c) for c in ref_columns),
        )
        row = self._run(sql, (_limit(limit),))[0]
        return int(row["checked"]), int(row["orphans"])


def _column_name(table: Table, column: str) -> str:
    """The column's exact name in the catalog; an unknown column is the caller's mistake, not SQL to send."""
    found = table.column(column)
    if found is None:
        raise InputError(f"table {table.qualified_name} has no column {column!r}")
    return found.name


def _limit(limit: int) -> int:
    if limit < 1:
        raise InputError(f"probe limit must be positive, got {limit}")
    return limit


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
