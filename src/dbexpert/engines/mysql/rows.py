"""Result rows of one read-only query, as tuples (columns of the same name stay apart)."""

from __future__ import annotations

from typing import Any

import pymysql

from dbexpert.engines.mysql.connect import MysqlSession, _message
from dbexpert.model import InputError


def fetch_tuples(session: MysqlSession, sql: str, limit: int) -> list[tuple[Any, ...]]:
    """At most ``limit`` + 1 rows of ``sql`` in the session's READ ONLY transaction."""
    session.round_trips += 1
    try:
        with session.connection.cursor(pymysql.cursors.Cursor) as cursor:
            cursor.execute(sql)
            return list(cursor.fetchmany(limit + 1))
    except pymysql.err.MySQLError as exc:
        raise InputError(
            f"the query failed on {session.url.redacted()}: {_message(exc, session.url)}"
        ) from None
