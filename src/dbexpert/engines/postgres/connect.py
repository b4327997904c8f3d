"""A read-only psycopg 3 session to one PostgreSQL database.

Safety does not depend on dbexpert's own SQL being careful: the server is told at connection
time that every transaction is read-only (``default_transaction_read_only``), and statements,
lock waits and idle transactions are bounded by timeouts. The session is in autocommit mode so
a probe never holds a snapshot open between rules; introspection runs in one REPEATABLE READ,
READ ONLY transaction so every query sees the same snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, LiteralString, cast

import psycopg
from psycopg import IsolationLevel, sql
from psycopg.rows import dict_row

from dbexpert.engines.base import SessionOptions
from dbexpert.engines.postgres.introspect import CatalogRows, build_catalog
from dbexpert.engines.postgres.probe import PostgresProbe
from dbexpert.engines.postgres.queries import SESSION_OVERRIDES, catalog_queries
from dbexpert.engines.url import DatabaseUrl, redact
from dbexpert.model import Catalog, ConnectError, DbexpertError, InputError

Query = str | sql.Composed
Row = dict[str, Any]

MIN_SERVER_VERSION = 120000


def _server_options(options: SessionOptions) -> str:
    """The libpq ``options`` string: settings the server applies before our first statement."""
    idle_ms = max(60_000, 2 * options.statement_timeout_ms)
    settings = {
        "default_transaction_read_only": "on",
        "statement_timeout": str(options.statement_timeout_ms),
        "lock_timeout": str(options.lock_timeout_ms),
        "idle_in_transaction_session_timeout": str(idle_ms),
    }
    return " ".join(f"-c {name}={value}" for name, value in settings.items())


def connection_kwargs(url: DatabaseUrl, options: SessionOptions) -> dict[str, Any]:
    """psycopg keyword arguments for ``url``; URL query parameters (sslmode, …) pass through."""
    params: dict[str, Any] = dict(url.params)
    extra_options = params.pop("options", "")
    params.update(
        {
            "host": url.host,
            "port": url.port,
            "user": url.user,
            "password": url.password,
            "dbname": url.database,
            "application_name": options.application_name,
            "connect_timeout": options.connect_timeout_s,
            "options": f"{extra_options} {_server_options(options)}".strip(),
        }
    )
    return {key: value for key, value in params.items() if value is not None}


def _one_line(exc: BaseException, password: str | None) -> str:
    """The driver's message on one line, without the password in any form."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if password:
        text = text.replace(password, "***")
    return redact(text)


class PostgresSession:
    """A read-only session; see :class:`dbexpert.engines.base.EngineSession`."""

    def __init__(self, url: DatabaseUrl, connection: psycopg.Connection[Row]) -> None:
        self.url = url
        self.round_trips = 0
        self._connection = connection
        self._probe = PostgresProbe(self)

    @classmethod
    def open(cls, url: DatabaseUrl, options: SessionOptions) -> PostgresSession:
        """Connect to ``url``. Raises ConnectError when the server cannot be reached or refuses us."""
        try:
            connection = psycopg.connect(
                **connection_kwargs(url, options), autocommit=True, row_factory=dict_row
            )
        except psycopg.ProgrammingError as exc:  # an invalid connection parameter in the URL
            raise InputError(
                f"invalid PostgreSQL URL {url.redacted()}: {_one_line(exc, url.password)}"
            ) from None
        except psycopg.Error as exc:
            raise ConnectError(
                f"cannot connect to {url.redacted()}: {_one_line(exc, url.password)}"
            ) from None
        if connection.info.server_version < MIN_SERVER_VERSION:
            version = connection.info.parameter_status("server_version")
            connection.close()
            raise ConnectError(
                f"{url.redacted()} runs PostgreSQL {version!r}; dbexpert needs PostgreSQL 12 or later"
            )
        # Introspection's single transaction: one snapshot, and read-only even if the role's
        # defaults were changed after we connected.
        connection.isolation_level = IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        return cls(url, connection)

    @property
    def connection(self) -> psycopg.Connection[Row]:
        """The underlying connection (read-only at the server), for callers that need raw access."""
        return self._connection

    @property
    def probe(self) -> PostgresProbe:
        return self._probe

    @property
    def server_version_num(self) -> int:
        return self._connection.info.server_version

    def fetch(self, label: str, query: Query, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one statement and return its rows; counts one round trip.

        Driver errors become one-line DbexpertErrors (ConnectError when the connection is gone),
        naming the query by ``label`` and never showing a password.
        """
        self.round_trips += 1
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(cast(LiteralString, query) if isinstance(query, str) else query, params)
                return cursor.fetchall()
        except psycopg.Error as exc:
            message = _one_line(exc, self.url.password)
            if self._connection.broken or self._connection.closed:
                raise ConnectError(f"lost the connection to {self.url.redacted()}: {message}") from None
            raise DbexpertError(f"{label} query failed on {self.url.redacted()}: {message}") from None

    def introspect(self) -> Catalog:
        """The whole catalog, in one query per object kind inside one read-only snapshot."""
        queries = catalog_queries(self.server_version_num)
        results: dict[str, list[Row]] = {}
        collected_at = datetime.now(UTC)
        # BEGIN and COMMIT are round trips too.
        self.round_trips += 2
        try:
            with self._connection.transaction():
                for name, text in queries.named().items():
                    params = {"session_overrides": list(SESSION_OVERRIDES)} if name == "server" else None
                    results[name] = self.fetch(name, text, params)
        except psycopg.Error as exc:  # the COMMIT itself failed
            raise ConnectError(
                f"lost the connection to {self.url.redacted()}: {_one_line(exc, self.url.password)}"
            ) from None
        rows = CatalogRows(
            server=results["server"][0],
            tables=results["tables"],
            columns=results["columns"],
            constraints=results["constraints"],
            indexes=results["indexes"],
            sequences=results["sequences"],
            enums=results["enums"],
            views=results["views"],
        )
        return build_catalog(rows, collected_at=collected_at)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> PostgresSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
