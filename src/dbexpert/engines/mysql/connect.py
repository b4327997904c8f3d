"""A read-only PyMySQL session to one MySQL 8 or MariaDB database.

Safety first: the session is READ ONLY (the session default and the open transaction), statements
are cut off by the server (MySQL ``max_execution_time`` in ms, MariaDB ``max_statement_time`` in
seconds) and lock waits give up quickly, so auditing a busy production server cannot hold it up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pymysql
import pymysql.cursors

from dbexpert.engines.base import SessionOptions
from dbexpert.engines.mysql import queries
from dbexpert.engines.mysql.introspect import CatalogRows, build_catalog, flavor_of
from dbexpert.engines.mysql.probe import MysqlProbe
from dbexpert.engines.url import DatabaseUrl, redact
from dbexpert.model import Catalog, ConnectError, InputError, Version

_UNKNOWN_DATABASE = 1049
# URL query parameters passed on to PyMySQL.
_URL_PARAMS = frozenset({"unix_socket", "ssl_ca", "ssl_cert", "ssl_key"})


class MysqlSession:
    """Implements :class:`dbexpert.engines.base.EngineSession` for ``mysql://`` and ``mariadb://`` URLs."""

    def __init__(self, url: DatabaseUrl, connection: pymysql.connections.Connection, database: str) -> None:
        self.url = url
        self.database = database
        self.round_trips = 0
        self._conn = connection
        self.version_text = ""
        self.flavor = "mysql"

    @classmethod
    def open(cls, url: DatabaseUrl, options: SessionOptions) -> MysqlSession:
        if not url.database:
            raise InputError(f"{url.redacted()} names no database: use mysql://user@host/DATABASE")
        unknown = sorted(set(url.params) - _URL_PARAMS)
        if unknown:
            raise InputError(
                f"unsupported parameter(s) {', '.join(unknown)} in {url.redacted()} "
                f"(supported: {', '.join(sorted(_URL_PARAMS))})"
            )
        ssl = {key: url.params[key] for key in ("ssl_ca", "ssl_cert", "ssl_key") if key in url.params}
        try:
            connection = pymysql.connect(
                host=url.host or "127.0.0.1",
                port=url.port or 3306,
                user=url.user,
                password=url.password or "",
                database=url.database,
                unix_socket=url.params.get("unix_socket"),
                ssl=ssl or None,
                charset="utf8mb4",
                autocommit=False,
                connect_timeout=options.connect_timeout_s,
                # A client-side backstop in case the server-side timeout cannot fire.
                read_timeout=options.connect_timeout_s + math.ceil(options.statement_timeout_ms / 1000),
                program_name=options.application_name,
                cursorclass=pymysql.cursors.DictCursor,
            )
        except pymysql.err.MySQLError as exc:
            if exc.args and exc.args[0] == _UNKNOWN_DATABASE:
                raise InputError(f"database {url.database!r} does not exist on {url.redacted()}") from None
            raise ConnectError(f"cannot connect to {url.redacted()}: {_message(exc, url)}") from None
        session = cls(url, connection, url.database)
        try:
            session._make_safe(options)
        except BaseException:
            session.close()
            raise
        return session

    def _make_safe(self, options: SessionOptions) -> None:
        self.version_text = str(self.run(queries.SERVER_VERSION)[0]["version"])
        self.flavor = flavor_of(self.version_text)
        lock_s = max(1, math.ceil(options.lock_timeout_ms / 1000))  # both lock settings take whole seconds
        if self.flavor == "mariadb":
            limit = "max_statement_time = %s"
            statement_limit: float | int = options.statement_timeout_ms / 1000
        else:
            # MySQL 8 caches TABLES statistics for a day by default; ask for current figures.
            limit = "max_execution_time = %s, information_schema_stats_expiry = 0"
            statement_limit = options.statement_timeout_ms
        self.run(
            f"SET SESSION {limit}, lock_wait_timeout = %s, innodb_lock_wait_timeout = %s",
            (statement_limit, lock_s, lock_s),
        )
        self.run("SET SESSION TRANSACTION READ ONLY")
        self.run("START TRANSACTION READ ONLY")

    @property
    def connection(self) -> pymysql.connections.Connection:
        """The underlying read-only connection (for callers that need the driver, and for tests)."""
        return self._conn

    @property
    def version(self) -> Version:
        return Version.parse(self.version_text)

    def run(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """One round trip. Server errors become ConnectError with the password redacted."""
        try:
            return self._execute(sql, params)
        except pymysql.err.MySQLError as exc:
            raise ConnectError(f"query failed on {self.url.redacted()}: {_message(exc, self.url)}") from None

    def _execute(self, sql: str, params: Sequence[Any] | None) -> list[dict[str, Any]]:
        self.round_trips += 1
        with self._conn.cursor() as cursor:
            cursor.execute(sql, tuple(params) if params is not None else None)
            return list(cursor.fetchall())

    def introspect(self) -> Catalog:
        schema = (self.database,)
        settings = self.run(queries.SETTINGS, queries.SETTING_NAMES)
        performance_schema = next(
            (str(r["Value"]) for r in settings if r["Variable_name"] == "performance_schema"), "OFF"
        )
        usage: list[dict[str, Any]] | None = None
        if performance_schema.upper() in ("ON", "1"):
            try:
                usage = self._execute(queries.INDEX_USAGE, schema)
                note = "performance_schema.table_io_waits_summary_by_index_usage"
            except pymysql.err.MySQLError as exc:
                note = f"performance_schema unreadable: {_message(exc, self.url)}"
        else:
            note = "performance_schema is OFF: index scan counts are unknown"
        return build_catalog(
            CatalogRows(
                database=self.database,
                version=self.version_text,
                settings=settings,
                tables=self.run(queries.TABLES, schema),
                columns=self.run(queries.COLUMNS, schema),
                statistics=self.run(queries.statistics_query(self.flavor, self.version), schema),
                constraints=self.run(queries.constraints_query(self.flavor, self.version), schema),
                foreign_keys=self.run(queries.FOREIGN_KEYS, schema),
                views=self.run(queries.VIEWS, schema),
                index_usage=usage,
                index_usage_note=note,
                collected_at=datetime.now(UTC),
            )
        )

    @property
    def probe(self) -> MysqlProbe:
        return MysqlProbe(self.run, self.database)

    def close(self) -> None:
        if not self._conn.open:
            return
        try:
            self._conn.rollback()
        except pymysql.err.MySQLError:
            pass  # the connection is going away anyway; nothing was written
        finally:
            self._conn.close()

    def __enter__(self) -> MysqlSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _message(exc: BaseException, url: DatabaseUrl) -> str:
    """The driver's message on one line, with any password removed."""
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    if url.password:
        text = text.replace(url.password, "***")
    return redact(" ".join(text.split()))
