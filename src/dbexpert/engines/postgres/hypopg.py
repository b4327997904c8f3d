"""hypopg on a live PostgreSQL session: whether it is installed, creating it on request, forgetting
the hypothetical indexes, and which indexes a FORMAT JSON plan uses.

hypopg's functions keep hypothetical indexes in the backend's memory and write nothing, so they work
inside the session's read-only transaction; only CREATE EXTENSION needs a write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg

from dbexpert.engines.postgres.connect import PostgresSession
from dbexpert.engines.postgres.scratch import clean_error
from dbexpert.model import ConnectError, InputError

HYPOPG_INSTALL = (
    "install the hypopg package for the server (e.g. postgresql-15-hypopg), then CREATE EXTENSION hypopg;"
)


def hypopg_installed(session: PostgresSession) -> bool:
    rows = session.fetch("hypopg", "SELECT 1 AS installed FROM pg_extension WHERE extname = 'hypopg'")
    return bool(rows)


def create_hypopg(session: PostgresSession) -> None:
    """CREATE EXTENSION hypopg, committed: only on the user's explicit request."""
    connection = session.connection
    connection.read_only = False
    try:
        session.round_trips += 1
        with connection.transaction():
            connection.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
    except psycopg.Error as exc:
        error = ConnectError if connection.broken or connection.closed else InputError
        raise error(f"cannot create hypopg on {session.url.redacted()}: {clean_error(exc, session.url)}") from None
    finally:
        connection.read_only = True


def reset_hypothetical(session: PostgresSession) -> None:
    """Forget every hypothetical index of the session (nothing to do once the connection is gone)."""
    connection = session.connection
    if not (connection.broken or connection.closed):
        session.fetch("hypopg_reset", "SELECT hypopg_reset()")


def index_names(plan: Any) -> Iterator[str]:
    """Every ``Index Name`` in a FORMAT JSON plan, hypothetical or real."""
    stack = [plan]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("Index Name"), str):
                yield item["Index Name"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
