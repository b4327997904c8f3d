"""Result rows of one read-only query, as tuples."""

from __future__ import annotations

from typing import Any

from dbexpert.engines.sqlite.connect import SqliteSession


def fetch_tuples(session: SqliteSession, sql: str, limit: int) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` on the query_only connection, under the session's statement timeout."""
    rows = session.run(sql)
    return rows[: limit + 1]
