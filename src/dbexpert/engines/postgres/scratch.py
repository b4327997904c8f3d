"""A throwaway database for exact mode: created with a random name next to the user's, always dropped.

Exact mode never writes to the database a URL names (DESIGN § 7). The URL only says which server
to use: we connect to its database to run ``CREATE DATABASE dbexpert_scratch_<hex>`` (a
server-level command that writes nothing inside it), do all our work in the new database, and
drop it with ``WITH (FORCE)`` in a ``finally`` — after errors, failed migrations and Ctrl-C alike.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from dbexpert.engines.url import DatabaseUrl, redact
from dbexpert.model import ConnectError, Engine, InputError

SCRATCH_PREFIX = "dbexpert_scratch_"
APPLICATION_NAME = "dbexpert-exact"
Row = dict[str, Any]


def clean_error(exc: BaseException, url: DatabaseUrl) -> str:
    """A driver message on one line, with no password in any form."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if url.password:
        text = text.replace(url.password, "***")
    return redact(text)


def connect(url: DatabaseUrl, database: str | None = None, **settings: str) -> psycopg.Connection[Row]:
    """A writable autocommit connection to ``database`` (default: the URL's) on the URL's server.

    ``settings`` are server settings applied at connection time (``lock_timeout="50ms"``).
    """
    params: dict[str, Any] = dict(url.params)
    extra = params.pop("options", "")
    options = " ".join([extra, *(f"-c {name}={value}" for name, value in settings.items())]).strip()
    params.update(
        host=url.host,
        port=url.port,
        user=url.user,
        password=url.password,
        dbname=database or url.database or "postgres",
        application_name=APPLICATION_NAME,
        connect_timeout=10,
    )
    if options:
        params["options"] = options
    try:
        return psycopg.connect(
            **{k: v for k, v in params.items() if v is not None}, autocommit=True, row_factory=dict_row
        )
    except psycopg.ProgrammingError as exc:
        raise InputError(f"invalid PostgreSQL URL {url.redacted()}: {clean_error(exc, url)}") from None
    except psycopg.Error as exc:
        raise ConnectError(f"cannot connect to {url.redacted()}: {clean_error(exc, url)}") from None


def scratch_name() -> str:
    return SCRATCH_PREFIX + secrets.token_hex(6)


def check_target(url: DatabaseUrl, scratch: str) -> None:
    """Refuse anything that would write to the database the URL names."""
    if url.engine is not Engine.POSTGRES:
        raise InputError(f"exact mode needs a PostgreSQL server; got {url.redacted()}")
    if scratch == (url.database or "postgres"):
        raise InputError(f"refusing to write to {url.redacted()}: it is the URL's own database")


@contextmanager
def scratch_database(url: DatabaseUrl) -> Iterator[DatabaseUrl]:
    """Create a scratch database on the server of ``url``; yield its URL; always drop it."""
    name = scratch_name()
    check_target(url, name)
    admin = connect(url)
    try:
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.InsufficientPrivilege:
            raise InputError(
                f"{url.redacted()}: the role may not create databases; exact mode needs CREATEDB on the server"
            ) from None
        except psycopg.Error as exc:
            raise ConnectError(
                f"cannot create a scratch database on {url.redacted()}: {clean_error(exc, url)}"
            ) from None
        try:
            yield replace(url, database=name)
        finally:
            drop_database(admin, name)
    finally:
        admin.close()


def drop_database(admin: psycopg.Connection[Row], name: str) -> None:
    """Drop ``name``, ending the sessions still in it; retried once if Ctrl-C interrupts the first try."""
    if not name.startswith(SCRATCH_PREFIX):  # never drop anything we did not create
        raise InputError(f"refusing to drop {name!r}: not a scratch database")
    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    try:
        admin.execute(statement)
    except KeyboardInterrupt:
        admin.execute(statement)
        raise


def leftover_scratch_databases(url: DatabaseUrl) -> list[str]:
    """Scratch databases present on the server (for tests and for cleaning up after a killed run)."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (SCRATCH_PREFIX + "%",)
        ).fetchall()
    return [row["datname"] for row in rows]
