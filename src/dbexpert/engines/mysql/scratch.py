"""A throwaway database for exact mode on MySQL/MariaDB: created with a random name, always dropped.

Exact mode never writes to the database a URL names (DESIGN § 7). The URL only says which server
to use: we connect without selecting any database, run ``CREATE DATABASE dbexpert_scratch_<hex>``,
do all our work in the new database, and drop it in a ``finally`` — after errors, failed
migrations and Ctrl-C alike.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeAlias

import pymysql
import pymysql.cursors

from dbexpert.engines.url import DatabaseUrl, redact
from dbexpert.model import ConnectError, Engine, InputError

SCRATCH_PREFIX = "dbexpert_scratch_"
PROGRAM_NAME = "dbexpert-exact"
_ACCESS_DENIED = frozenset({1044, 1045, 1142, 1227})
Row = dict[str, Any]
Connection: TypeAlias = "pymysql.connections.Connection[Any]"


def clean_error(exc: BaseException, url: DatabaseUrl) -> str:
    """A driver message on one line, with no password in any form."""
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    text = " ".join(text.split()) or type(exc).__name__
    if url.password:
        text = text.replace(url.password, "***")
    return redact(text)


def error_code(exc: BaseException) -> int | None:
    code = exc.args[0] if exc.args else None
    return code if isinstance(code, int) else None


def quote(name: str) -> str:
    """A MySQL identifier in backquotes."""
    return "`" + name.replace("`", "``") + "`"


def connect(url: DatabaseUrl, database: str | None = None, read_timeout: int | None = None) -> Connection:
    """A writable autocommit connection to ``database`` (default: none selected) on the URL's server."""
    ssl = {key: url.params[key] for key in ("ssl_ca", "ssl_cert", "ssl_key") if key in url.params}
    try:
        return pymysql.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 3306,
            user=url.user,
            password=url.password or "",
            database=database,
            unix_socket=url.params.get("unix_socket"),
            ssl=ssl or None,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=10,
            read_timeout=read_timeout,
            program_name=PROGRAM_NAME,
            cursorclass=pymysql.cursors.DictCursor,
        )
    except pymysql.err.MySQLError as exc:
        raise ConnectError(f"cannot connect to {url.redacted()}: {clean_error(exc, url)}") from None


def execute(conn: Connection, statement: str, params: tuple[Any, ...] | None = None) -> list[Row]:
    """One statement; its rows (empty for statements that return none)."""
    with conn.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall() or ())


def scratch_name() -> str:
    return SCRATCH_PREFIX + secrets.token_hex(6)


def check_target(url: DatabaseUrl, scratch: str) -> None:
    """Refuse anything that would write to the database the URL names."""
    if url.engine is not Engine.MYSQL:
        raise InputError(f"exact mode needs a MySQL or MariaDB server here; got {url.redacted()}")
    if url.database is not None and scratch.lower() == url.database.lower():
        raise InputError(f"refusing to write to {url.redacted()}: it is the URL's own database")


@contextmanager
def scratch_database(url: DatabaseUrl) -> Iterator[DatabaseUrl]:
    """Create a scratch database on the server of ``url``; yield its URL; always drop it."""
    name = scratch_name()
    check_target(url, name)
    admin = connect(url)
    try:
        try:
            execute(admin, f"CREATE DATABASE {quote(name)} CHARACTER SET utf8mb4")
        except pymysql.err.MySQLError as exc:
            if error_code(exc) in _ACCESS_DENIED:
                raise InputError(
                    f"{url.redacted()}: the user may not create databases; exact mode needs CREATE and DROP"
                    " on the server"
                ) from None
            raise ConnectError(
                f"cannot create a scratch database on {url.redacted()}: {clean_error(exc, url)}"
            ) from None
        try:
            yield replace(url, database=name)
        finally:
            drop_database(url, admin, name)
    finally:
        admin.close()


def drop_database(url: DatabaseUrl, admin: Connection, name: str) -> None:
    """Drop ``name``, ending the sessions still in it; retried once if Ctrl-C interrupts the first try."""
    if not name.startswith(SCRATCH_PREFIX):  # never drop anything we did not create
        raise InputError(f"refusing to drop {name!r}: not a scratch database")
    try:
        _drop(url, admin, name)
    except KeyboardInterrupt:
        _drop(url, admin, name)
        raise


def _drop(url: DatabaseUrl, admin: Connection, name: str) -> None:
    try:
        admin.ping(reconnect=False)
        _end_sessions(admin, name)
        execute(admin, f"DROP DATABASE IF EXISTS {quote(name)}")
    except pymysql.err.MySQLError:
        # The admin connection may have died with the run: one more try on a fresh one.
        with connect(url) as fresh:
            _end_sessions(fresh, name)
            execute(fresh, f"DROP DATABASE IF EXISTS {quote(name)}")


def _end_sessions(admin: Connection, name: str) -> None:
    """Kill our own sessions still using the scratch database (a statement left running holds its locks)."""
    rows = execute(
        admin,
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> CONNECTION_ID()",
        (name,),
    )
    for row in rows:
        try:
            execute(admin, f"KILL {int(row['id'])}")
        except pymysql.err.MySQLError:
            pass  # already gone


def leftover_scratch_databases(url: DatabaseUrl) -> list[str]:
    """Scratch databases present on the server (for tests and for cleaning up after a killed run)."""
    with connect(url) as conn:
        rows = execute(
            conn,
            "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE %s",
            (SCRATCH_PREFIX.replace("_", "\\_") + "%",),
        )
    return [str(row["name"]) for row in rows]
