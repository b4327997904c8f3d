"""Bounded, read-only questions rules may ask a live PostgreSQL database (the LiveProbe protocol).

Every probe is one statement with a LIMIT, run on the session's read-only connection under its
statement timeout. Identifiers are composed with :mod:`psycopg.sql`, so hostile table and column
names are quoted by the driver, and values travel as parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from psycopg import sql

from dbexpert.engines.postgres.queries import COUNT_ORPHANS, SAMPLE_VALUES
from dbexpert.model import Table
from dbexpert.model.probe import check_key_pairs, checked_limit, column_named

if TYPE_CHECKING:
    from dbexpert.engines.postgres.connect import Query


class _Fetcher(Protocol):
    def fetch(
        self, label: str, query: Query, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...


def _table(table: Table) -> sql.Identifier:
    return sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)


class PostgresProbe:
    """The :class:`dbexpert.model.probe.LiveProbe` of a PostgreSQL session."""

    def __init__(self, session: _Fetcher) -> None:
        self._session = session

    def sample_values(self, table: Table, column: str, limit: int = 1000) -> list[str]:
        """Up to ``limit`` non-null values of ``column`` as text."""
        column_named(table, column)
        query = sql.SQL(SAMPLE_VALUES).format(column=sql.Identifier(column), table=_table(table))
        rows = self._session.fetch("sample_values", query, {"limit": checked_limit(limit)})
        return [row["value"] for row in rows]

    def count_orphans(
        self,
        child: Table,
        columns: tuple[str, ...],
        parent: Table,
        ref_columns: tuple[str, ...],
        limit: int = 10000,
    ) -> tuple[int, int]:
        """Among up to ``limit`` child rows with a complete key: (rows checked, rows with no parent row)."""
        check_key_pairs(columns, ref_columns)
        for table, names in ((child, columns), (parent, ref_columns)):
            for name in names:
                column_named(table, name)
        child_ids = [sql.Identifier(name) for name in columns]
        query = sql.SQL(COUNT_ORPHANS).format(
            child_columns=sql.SQL(", ").join(child_ids),
            child=_table(child),
            child_not_null=sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(c) for c in child_ids),
            parent=_table(parent),
            join_condition=sql.SQL(" AND ").join(
                sql.SQL("p.{} = s.{}").format(sql.Identifier(ref), child_id)
                for ref, child_id in zip(ref_columns, child_ids, strict=True)
            ),
        )
        row = self._session.fetch("count_orphans", query, {"limit": checked_limit(limit)})[0]
        return int(row["checked"]), int(row["orphans"])
