"""pg_stat_statements read live, over the read-only session: one query, rows by column name.

The view needs two things from the server: the library in ``shared_preload_libraries`` (a restart)
and the extension created in the database we connect to. When either is missing the reader says
which, and how to fix it, in one line.
"""

from __future__ import annotations

from typing import Any, Protocol

from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import DbexpertError

EXTENSION_SQL = "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements'"
# Names joined in so the report shows databases and roles rather than OIDs; LEFT JOIN keeps the
# statements of databases or roles dropped since.
STATEMENTS_SQL = """
SELECT d.datname, r.rolname, s.*
  FROM pg_stat_statements s
  LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid
  LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.userid
"""
REMEDY = (
    "add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart the server, "
    "then run CREATE EXTENSION pg_stat_statements in this database"
)


class StatementsSession(Protocol):
    url: DatabaseUrl

    def fetch(self, label: str, query: str, params: Any = None) -> list[dict[str, Any]]: ...


class StatementsUnavailable(DbexpertError):
    """pg_stat_statements cannot be read on this server: the message says why and what to do."""


def read_statements(session: StatementsSession) -> list[dict[str, Any]]:
    """All rows of pg_stat_statements (with ``datname`` and ``rolname``), read-only."""
    where = session.url.redacted()
    if not session.fetch("pg_stat_statements extension", EXTENSION_SQL):
        raise StatementsUnavailable(f"pg_stat_statements is not installed in {where}: {REMEDY}")
    try:
        return session.fetch("pg_stat_statements", STATEMENTS_SQL)
    except DbexpertError as exc:
        if "shared_preload_libraries" in str(exc):
            raise StatementsUnavailable(
                f"pg_stat_statements is installed in {where} but the server did not load it: {REMEDY}"
            ) from None
        raise
