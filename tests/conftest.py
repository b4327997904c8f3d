"""Shared fixtures: throwaway databases on the real servers (DESIGN § 9).

Connection URLs come from DBEXPERT_TEST_POSTGRES_URL / DBEXPERT_TEST_MYSQL_URL and default to the
local services. Each fixture creates a database with a unique name and drops it afterwards.
Under CI=true a missing server fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

POSTGRES_URL = os.environ.get("DBEXPERT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MYSQL_URL = os.environ.get("DBEXPERT_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} is not reachable: {exc}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def unique_name(prefix: str = "dbx_test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; yields its URL."""
    import psycopg

    name = unique_name()
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        _unavailable("PostgreSQL", exc)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(POSTGRES_URL, name)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """A fresh, empty MySQL/MariaDB database; yields its URL."""
    import pymysql

    parts = urlsplit(MYSQL_URL)
    name = unique_name()

    def admin() -> pymysql.connections.Connection:
        return pymysql.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=parts.username or "root",
            password=parts.password or "",
            autocommit=True,
            connect_timeout=5,
        )

    try:
        conn = admin()
    except pymysql.err.OperationalError as exc:
        _unavailable("MySQL/MariaDB", exc)
    with conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield _with_database(MYSQL_URL, name)
    finally:
        with admin() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def pg_execute(url: str, sql: str) -> None:
    """Run setup SQL (many statements) on a test PostgreSQL database."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def mysql_connect_args(url: str) -> dict:
    """PyMySQL keyword arguments for a test database URL."""
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": parts.username or "root",
        "password": parts.password or "",
        "database": parts.path.lstrip("/") or None,
        "autocommit": True,
    }


def mysql_execute(url: str, sql: str) -> None:
    """Run setup SQL (many statements) on a test MySQL/MariaDB database."""
    import pymysql

    conn = pymysql.connect(**mysql_connect_args(url), client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
    with conn, conn.cursor() as cur:
        cur.execute(sql)
        while cur.nextset():
            pass
