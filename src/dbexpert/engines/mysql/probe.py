"""Bounded, read-only questions rules may ask a live MySQL/MariaDB database (the LiveProbe protocol)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dbexpert.engines.mysql.queries import count_orphans_query, sample_values_query
from dbexpert.model import Table
from dbexpert.model.probe import check_key_pairs, checked_limit, column_named

Query = Callable[[str, Sequence[Any]], list[dict[str, Any]]]


class MysqlProbe:
    """Runs every probe through the session's ``run`` so it stays inside its read-only transaction."""

    def __init__(self, run: Query, default_schema: str) -> None:
        self._run = run
        self._schema = default_schema

    def sample_values(self, table: Table, column: str, limit: int = 1000) -> list[str]:
        found = column_named(table, column)
        rows = self._run(
            sample_values_query(table.schema or self._schema, table.name, found), (checked_limit(limit),)
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
        check_key_pairs(columns, ref_columns)
        sql = count_orphans_query(
            child.schema or self._schema,
            child.name,
            tuple(column_named(child, c) for c in columns),
            parent.schema or self._schema,
            parent.name,
            tuple(column_named(parent, c) for c in ref_columns),
        )
        row = self._run(sql, (checked_limit(limit),))[0]
        return int(row["checked"]), int(row["orphans"])


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
