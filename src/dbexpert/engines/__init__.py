"""Live connections. Only ``engines/<name>/`` imports a driver; this module dispatches by URL."""

from __future__ import annotations

from dbexpert.engines.base import EngineSession, SessionOptions
from dbexpert.engines.url import DatabaseUrl, parse_url, redact
from dbexpert.model import Engine, InputError


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
    raise InputError(f"live audit of {url.engine.value} is not supported yet ({redact(str(url))})")


__all__ = ["DatabaseUrl", "EngineSession", "SessionOptions", "connect", "parse_url", "redact"]
