"""Result rows of one read-only query, as tuples (columns of the same name stay apart)."""

from __future__ import annotations

from typing import Any, LiteralString, cast

import psycopg
from psycopg.rows import tuple_row

from dbexpert.engines.postgres.connect import PostgresSession, _one_line
from dbexpert.model import ConnectError, InputError


def fetch_tuples(session: PostgresSession, sql: str, limit: int) -> list[tuple[Any, ...]]:
    """At most ``limit`` + 1 rows of ``sql``, run in the session's read-only transaction; any error
    rolls that transaction back so the session stays usable."""
    connection = session.connection
    session.round_trips += 1
    try:
        with connection.transaction(), connection.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(cast(LiteralString, sql))
            return cursor.fetchmany(limit + 1)
    except psycopg.Error as exc:
        message = _one_line(exc, session.url.password)
        if connection.broken or connection.closed:
            raise ConnectError(f"lost the connection to {session.url.redacted()}: {message}") from None
        raise InputError(f"the query failed on {session.url.redacted()}: {message}") from None
