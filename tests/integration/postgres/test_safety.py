"""The session is read-only at the server, bounded by timeouts, and never leaks a password."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from dbexpert.api.audit import audit
from dbexpert.engines import connect
from dbexpert.engines.postgres import PostgresSession
from dbexpert.model import ConnectError, DbexpertError, InputError
from tests.conftest import pg_execute
from tests.integration.postgres.schema import HOSTILE, NOT_VALID, SHOP

pytestmark = pytest.mark.postgres

SECRET = "s3cr3t-Pa55word"

# Row counts and an md5 over every row of every user table, in a stable order.
CHECKSUM = """
SELECT c.relname AS name, c.oid::regclass::text AS qualified
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY c.relname
"""


def _with(url: str, *, password: str | None = None, port: int | None = None, path: str | None = None) -> str:
    parts = urlsplit(url)
    user = parts.username or "postgres"
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = f"{parts.hostname}:{port or parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=auth + host, path=path or parts.path))


def _fingerprint(url: str) -> dict[str, tuple[int, str]]:
    result: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for name, qualified in conn.execute(CHECKSUM).fetchall():
            table = psycopg.sql.SQL(qualified)  # regclass text is already quoted by the server
            count, digest = conn.execute(
                psycopg.sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"
                ).format(table)
            ).fetchone()
            result[name] = (count, digest)
    return result


@pytest.fixture
def shop_url(pg_url: str) -> str:
    pg_execute(pg_url, SHOP)
    pg_execute(pg_url, NOT_VALID)
    pg_execute(pg_url, HOSTILE)
    return pg_url


def test_connection_refuses_writes(shop_url: str) -> None:
    with connect(shop_url) as session:
        assert isinstance(session, PostgresSession)
        conn = session.connection
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == {
            "default_transaction_read_only": "on"
        }
        assert conn.execute("SHOW application_name").fetchone() == {"application_name": "dbexpert"}
        for statement in (
            "INSERT INTO tenants (slug) VALUES ('intruder')",
            "CREATE TABLE intruder (id int)",
            'DROP TABLE "order" CASCADE',
            "UPDATE orders SET total = 0",
        ):
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute(statement)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            with conn.transaction():
                conn.execute("DELETE FROM order_lines")


def test_introspection_and_probes_change_nothing(shop_url: str) -> None:
    before = _fingerprint(shop_url)
    assert before["orders"][0] == 500 and before["select"][0] == 5
    with connect(shop_url) as session:
        catalog = session.introspect()
        for table in catalog.tables:
            for column in table.columns:
                session.probe.sample_values(table, column.name, limit=50)
            for fk in table.foreign_keys:
                parent = catalog.referenced_table(fk, table)
                assert parent is not None
                session.probe.count_orphans(table, fk.columns, parent, fk.ref_columns)
    assert _fingerprint(shop_url) == before


def test_unreachable_port_is_a_clean_connect_error(pg_url: str) -> None:
    url = _with(pg_url, password=SECRET, port=1)
    with pytest.raises(ConnectError) as caught:
        connect(url)
    message = str(caught.value)
    assert SECRET not in message and "\n" not in message
    assert message.startswith("cannot connect to postgresql://postgres:***@127.0.0.1:1/")
    assert caught.value.exit_code == 3


@pytest.mark.parametrize("path", ["/no_such_database_here", None])
def test_refused_login_is_a_clean_connect_error(pg_url: str, path: str | None) -> None:
    if path is None:  # a role that does not exist: refused at authentication
        parts = urlsplit(_with(pg_url, password=SECRET))
        url = urlunsplit(
            parts._replace(netloc=f"nobody_{SECRET[:4]}x:{SECRET}@{parts.hostname}:{parts.port or 5432}")
        )
    else:
        url = _with(pg_url, password=SECRET, path=path)
    with pytest.raises(ConnectError) as caught:
        connect(url)
    message = str(caught.value)
    assert SECRET not in message and "\n" not in message
    assert "does not exist" in message


def test_bad_url_parameter_is_an_input_error(pg_url: str) -> None:
    with pytest.raises(InputError) as caught:
        connect(_with(pg_url, password=SECRET) + "?sslmod=require")
    assert SECRET not in str(caught.value) and "sslmod" in str(caught.value)


def test_query_errors_are_one_line(shop_url: str) -> None:
    with connect(shop_url) as session:
        assert isinstance(session, PostgresSession)
        with pytest.raises(DbexpertError, match=r"^broken query failed on postgresql://postgres@.*relation"):
            session.fetch("broken", "SELECT * FROM no_such_table")
        assert session.fetch("ping", "SELECT 1 AS one") == [{"one": 1}]


def test_probe_rejects_unknown_columns(shop_url: str) -> None:
    with connect(shop_url) as session:
        orders = session.introspect().table("orders")
        assert orders is not None
        with pytest.raises(InputError, match="no column 'nope'"):
            session.probe.sample_values(orders, "nope")
        with pytest.raises(InputError, match="limit must be positive"):
            session.probe.sample_values(orders, "status", limit=0)


def test_introspection_does_not_queue_behind_a_migration_lock(pg_url: str):
    """A migration holding ACCESS EXCLUSIVE on a table must not make the audit wait or fail."""
    pg_execute(
        pg_url,
        """CREATE TABLE busy (id bigint PRIMARY KEY, v text DEFAULT 'x' CHECK (v <> ''));
        CREATE INDEX busy_v ON busy (lower(v)) WHERE id > 5;
        CREATE TABLE calm (id bigint PRIMARY KEY, busy_id bigint REFERENCES busy);
        CREATE VIEW busy_view AS SELECT * FROM busy;
        CREATE VIEW calm_view AS SELECT * FROM calm;
        INSERT INTO busy SELECT g, 'x' FROM generate_series(1, 1000) g; ANALYZE;""",
    )
    with psycopg.connect(pg_url) as migration:
        migration.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE")
        with connect(pg_url) as session:
            catalog = session.introspect()
        result = audit([pg_url])
        migration.rollback()
    assert "public.busy" in result.notes[0] and "ACCESS EXCLUSIVE" in result.notes[0]
    assert catalog.table("busy") is None
    assert catalog.attrs["skipped_tables"] == ("public.busy",)
    calm = catalog.table("calm")
    assert calm is not None and [fk.ref_table for fk in calm.foreign_keys] == ["busy"]
    assert [v.name for v in catalog.views] == ["calm_view"]
    with connect(pg_url) as session:  # once the lock is gone, everything is read again
        assert session.introspect().table("busy") is not None
