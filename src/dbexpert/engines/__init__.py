"""Live connections. Only ``engines/<name>/`` imports a driver; this module dispatches by URL."""

from __future__ import annotations

from typing import Any, cast

from dbexpert.engines.base import EngineSession, SessionOptions
from dbexpert.engines.url import DatabaseUrl, parse_url, redact
from dbexpert.model import Engine, InputError
from dbexpert.model.health import HealthSnapshot


def connect(target: str | DatabaseUrl, options: SessionOptions | None = None) -> EngineSession:
    """Open a read-only session to ``target`` (a URL or a SQLite path). Raises ConnectError (exit 3)."""
    url = target if isinstance(target, DatabaseUrl) else parse_url(target)
    options = options or SessionOptions()
    if url.engine is Engine.POSTGRES:
        from dbexpert.engines.postgres.connect import PostgresSession

        return PostgresSession.open(url, options)
    if url.engine is Engine.MYSQL:
        from dbexpert.engines.mysql.connect import MysqlSession

        return MysqlSession.open(url, options)
    if url.engine is Engine.SQLITE:
        from dbexpert.engines.sqlite.connect import SqliteSession

        return SqliteSession.open(url, options)
    if url.engine is Engine.REDIS:
        from dbexpert.engines.redis.connect import RedisSession

        return RedisSession.open(url, options)  # no SQL: fetch_tuples does not apply
    raise InputError(f"live audit of {url.engine.value} is not supported yet ({redact(str(url))})")


def fetch_tuples(session: EngineSession, sql: str, limit: int) -> list[tuple[Any, ...]]:
    """At most ``limit`` + 1 result rows of one query, as tuples, in the session's read-only transaction."""
    engine = session.url.engine
    if engine is Engine.POSTGRES:
        from dbexpert.engines.postgres.rows import fetch_tuples as fetch

        return fetch(session, sql, limit)  # type: ignore[arg-type]
    if engine is Engine.MYSQL:
        from dbexpert.engines.mysql.rows import fetch_tuples as fetch_mysql

        return fetch_mysql(session, sql, limit)  # type: ignore[arg-type]
    from dbexpert.engines.sqlite.rows import fetch_tuples as fetch_sqlite

    return fetch_sqlite(session, sql, limit)  # type: ignore[arg-type]


def read_health(session: EngineSession) -> HealthSnapshot:
    """The server's health snapshot (sessions, locks, vacuum, replication, settings...), read-only."""
    engine, live = session.url.engine, cast(Any, session)  # each reader takes its engine's session
    if engine is Engine.POSTGRES:
        from dbexpert.engines.postgres.health import read_health as read_postgres

        return read_postgres(live)
    if engine is Engine.MYSQL:
        from dbexpert.engines.mysql.health import read_health as read_mysql

        return read_mysql(live)
    if engine is Engine.REDIS:
        from dbexpert.engines.redis.health import read_health as read_redis

        return read_redis(live)
    from dbexpert.engines.sqlite.health import read_health as read_sqlite

    return read_sqlite(live)


__all__ = [
    "DatabaseUrl",
    "EngineSession",
    "SessionOptions",
    "connect",
    "fetch_tuples",
    "read_health",
    "parse_url",
    "redact",
]
