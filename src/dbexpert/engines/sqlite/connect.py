"""A read-only session on a SQLite file.

Three locks keep the user's file safe: the file is opened through a ``mode=ro`` URI (so a missing
file is an error, never a new empty database), ``PRAGMA query_only`` refuses writes even through
attached or temp objects, and a progress handler interrupts any statement that runs longer than
the session's statement timeout.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dbexpert.engines.base import SessionOptions
from dbexpert.engines.sqlite import queries
from dbexpert.engines.sqlite.introspect import (
    ColumnRow,
    ForeignKeyRow,
    IndexColumnRow,
    IntrospectionRows,
    SchemaObjectRow,
    StatRow,
    build_catalog,
    has_stat1,
)
from dbexpert.engines.sqlite.probe import SqliteProbe
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import Catalog, ConnectError, DbexpertError, InputError, Version

# SQLite calls the progress handler every this many virtual-machine instructions: often enough
# to stop within a millisecond or so, rarely enough to cost nothing measurable.
_PROGRESS_EVERY = 1000


class StatementTimeout(DbexpertError):
    """A statement ran longer than the session's statement timeout and was interrupted."""


def file_uri(path: Path) -> str:
    """A read-only ``file:`` URI for ``path``; ``as_uri`` percent-encodes ``?``, ``#``, ``%`` and spaces."""
    return path.absolute().as_uri() + "?mode=ro"


class SqliteSession:
    """A read-only session on one SQLite database file (the ``EngineSession`` protocol)."""

    def __init__(self, url: DatabaseUrl, options: SessionOptions, connection: sqlite3.Connection) -> None:
        self.url = url
        self.options = options
        self.round_trips = 0
        self._connection = connection
        self._deadline = 0.0
        self._probe = SqliteProbe(self.run)
        connection.set_progress_handler(self._past_deadline, _PROGRESS_EVERY)

    @classmethod
    def open(cls, url: DatabaseUrl, options: SessionOptions) -> SqliteSession:
        path = url.path
        if path is None:
            raise InputError(f"no SQLite file path in {url.redacted()}")
        if not path.exists():
            raise ConnectError(f"no such SQLite database: {path}")
        if not path.is_file():
            raise InputError(f"not a SQLite database file: {path}")
        try:
            # ``timeout`` is SQLite's busy timeout: how long to wait for a writer's lock to clear.
            connection = sqlite3.connect(file_uri(path), uri=True, timeout=options.lock_timeout_ms / 1000)
        except sqlite3.Error as exc:
            raise ConnectError(f"cannot open SQLite database {path}: {exc}") from None
        session = cls(url, options, connection)
        try:
            session.run("PRAGMA query_only = ON")
            # Reading the schema is what fails on a file that is not a SQLite database.
            session.run("SELECT count(*) FROM main.sqlite_master")
        except DbexpertError:
            session.close()
            raise
        return session

    @property
    def path(self) -> Path:
        assert self.url.path is not None  # checked in open()
        return self.url.path

    def run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement under the timeout and return all its rows; counts as one round trip."""
        self.round_trips += 1
        self._deadline = time.monotonic() + self.options.statement_timeout_ms / 1000
        try:
            return self._connection.execute(sql, tuple(params)).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise StatementTimeout(
                    f"statement cancelled after {self.options.statement_timeout_ms} ms on {self.path}"
                ) from None
            raise self._error(exc) from None
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def _error(self, exc: sqlite3.Error) -> DbexpertError:
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            return InputError(f"not a SQLite database (or corrupt): {self.path}: {message}")
        if "locked" in message or "busy" in message or "unable to open" in message:
            return ConnectError(f"cannot read SQLite database {self.path}: {message}")
        return InputError(f"SQLite error on {self.path}: {message}")

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self._deadline else 0

    def introspect(self) -> Catalog:
        settings_row = self.run(queries.SETTINGS)[0]
        settings = dict(zip(queries.SETTINGS_COLUMNS, settings_row, strict=True))
        version = Version.parse(str(settings["version"]))
        objects = [SchemaObjectRow(*row) for row in self.run(queries.for_version(queries.OBJECTS, version))]
        columns = [ColumnRow(*row) for row in self.run(queries.for_version(queries.COLUMNS, version))]
        fks = [ForeignKeyRow(*row) for row in self.run(queries.for_version(queries.FOREIGN_KEYS, version))]
        index_columns = [
            IndexColumnRow(*row) for row in self.run(queries.for_version(queries.INDEX_COLUMNS, version))
        ]
        stat1 = [StatRow(*row) for row in self.run(queries.STAT1)] if has_stat1(objects) else None
        rows = IntrospectionRows(
            database=self.path.name,
            settings=settings,
            objects=objects,
            columns=columns,
            foreign_keys=fks,
            index_columns=index_columns,
            stat1=stat1,
            collected_at=datetime.now(UTC),
            attrs={"path": str(self.path)},
        )
        return build_catalog(rows)

    @property
    def probe(self) -> SqliteProbe:
        return self._probe

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> SqliteSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
