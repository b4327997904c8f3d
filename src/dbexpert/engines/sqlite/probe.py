"""Bounded, read-only questions rules may ask a live SQLite database (the :class:`LiveProbe` protocol)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dbexpert.model import Table
from dbexpert.model.probe import check_key_pairs, checked_limit

Run = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def quote(name: str) -> str:
    """Always quote: SQLite accepts many keywords as bare names, so "needs quoting" is a guess we skip."""
    return '"' + name.replace('"', '""') + '"'


def _table(table: Table) -> str:
    return f"{quote(table.schema or 'main')}.{quote(table.name)}"


class SqliteProbe:
    """Answers probes through the session's ``run`` (which counts round trips and applies the timeout)."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def sample_values(self, table: Table, column: str, limit: int = 1000) -> list[str]:
        col = quote(column)
        sql = f"SELECT CAST({col} AS TEXT) FROM {_table(table)} WHERE {col} IS NOT NULL LIMIT ?"
        return [row[0] for row in self._run(sql, (checked_limit(limit),))]

    def count_orphans(
        self,
        child: Table,
        columns: tuple[str, ...],
        parent: Table,
        ref_columns: tuple[str, ...],
        limit: int = 10000,
    ) -> tuple[int, int]:
        check_key_pairs(columns, ref_columns)
        picked = ", ".join(f"{quote(c)} AS k{i}" for i, c in enumerate(columns))
        not_null = " AND ".join(f"{quote(c)} IS NOT NULL" for c in columns)
        matches = " AND ".join(f"p.{quote(r)} = c.k{i}" for i, r in enumerate(ref_columns))
        sql = (
            f"WITH c AS (SELECT {picked} FROM {_table(child)} WHERE {not_null} LIMIT ?) "
            f"SELECT count(*), coalesce(sum(NOT EXISTS (SELECT 1 FROM {_table(parent)} AS p WHERE {matches})), 0) "
            "FROM c"
        )
        checked, orphans = self._run(sql, (checked_limit(limit),))[0]
        return int(checked), int(orphans)
