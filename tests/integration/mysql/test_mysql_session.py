"""The live MySQL/MariaDB engine against a real server: introspection, probes, safety and errors."""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pymysql
import pytest

from dbexpert.engines import SessionOptions, connect, parse_url
from dbexpert.model import ConnectError, Engine, InputError, StatsSource, TypeKind
from tests.conftest import mysql_execute

pytestmark = pytest.mark.mysql
# ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, the same on MySQL and MariaDB.
READ_ONLY_REFUSAL = "1792|READ ONLY transaction"

SHOP = """
CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL,
  name VARCHAR(200) NOT NULL DEFAULT 'anon',
  is_active TINYINT(1) NOT NULL DEFAULT 1,
  status ENUM('new','active','it''s') NOT NULL DEFAULT 'new',
  external_id CHAR(36) NULL,
  profile JSON NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  email_domain VARCHAR(255) AS (SUBSTRING_INDEX(email, '@', -1)) STORED,
  CONSTRAINT uq_customers_email UNIQUE (email),
  KEY ix_customers_name (name(10))
) ENGINE=InnoDB COMMENT='people who buy';
CREATE TABLE orders (
  customer_id INT UNSIGNED NOT NULL,
  order_no INT NOT NULL,
  placed_at DATETIME NOT NULL,
  PRIMARY KEY (customer_id, order_no),
  KEY ix_orders_no (order_no, customer_id),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE order_lines (
  order_no INT NOT NULL,
  customer_id INT UNSIGNED NOT NULL,
  line_no SMALLINT NOT NULL,
  qty INT NOT NULL CHECK (qty > 0),
  PRIMARY KEY (customer_id, order_no, line_no),
  KEY ix_lines_order (order_no, customer_id),
  CONSTRAINT fk_lines_order FOREIGN KEY (order_no, customer_id) REFERENCES orders (order_no, customer_id)
    ON UPDATE CASCADE
) ENGINE=InnoDB;
CREATE TABLE legacy_log (msg TEXT, at DATETIME) ENGINE=MyISAM;
CREATE TABLE audit_events (happened_at DATETIME NOT NULL, message TEXT NOT NULL) ENGINE=InnoDB;
CREATE VIEW active_customers AS SELECT id, email FROM customers WHERE is_active = 1;
INSERT INTO customers (email, name, profile) VALUES
  ('a@example.com', 'Ann', '{"vip": true}'), ('b@example.org', 'Bob', NULL), ('c@example.org', 'Cy', NULL);
INSERT INTO orders VALUES (1, 1, '2024-01-01'), (1, 2, '2024-01-02'), (2, 1, '2024-01-03');
INSERT INTO order_lines VALUES (1, 1, 1, 2), (1, 1, 2, 1), (2, 1, 1, 5);
INSERT INTO legacy_log VALUES ('started', '2024-01-01');
"""

# orders.customer_id -> a parent (order 9 of customer 1) that is missing: FK checks off during setup.
HOSTILE = """
SET FOREIGN_KEY_CHECKS = 0;
CREATE TABLE `a``; drop table x; --` (`select` INT NOT NULL PRIMARY KEY, `naïve ünïcode` VARCHAR(20));
CREATE TABLE `顧客` (`order` INT NOT NULL, `from` INT, PRIMARY KEY (`order`),
  CONSTRAINT `fk ``odd``` FOREIGN KEY (`from`) REFERENCES `a``; drop table x; --` (`select`));
INSERT INTO `a``; drop table x; --` VALUES (1, 'één'), (2, 'ß');
INSERT INTO `顧客` VALUES (10, 1), (11, 2), (12, 99), (13, NULL), (14, 98);
"""


def _session(url: str, **options: int):
    return connect(url, SessionOptions(**options))


def test_introspects_a_realistic_schema(mysql_url):
    mysql_execute(mysql_url, SHOP)
    with _session(mysql_url) as session:
        catalog = session.introspect()
    database = urlsplit(mysql_url).path.lstrip("/")
    assert catalog.engine is Engine.MYSQL and catalog.source is StatsSource.LIVE
    assert catalog.flavor in ("mariadb", "mysql")
    assert catalog.database == catalog.default_schema == database
    assert catalog.version is not None and catalog.version.major >= 8
    for setting in ("innodb_buffer_pool_size", "sql_mode", "default_storage_engine", "version_comment"):
        assert setting in catalog.settings
    if catalog.settings["performance_schema"] == "OFF":
        assert "OFF" in catalog.attrs["index_usage"]
    assert sorted(t.name for t in catalog.tables) == [
        "audit_events",
        "customers",
        "legacy_log",
        "order_lines",
        "orders",
    ]
    assert [v.name for v in catalog.views] == ["active_customers"]

    customers = catalog.table("customers")
    kinds = {c.name: c.kind for c in customers.columns}
    assert kinds["is_active"] is TypeKind.BOOLEAN
    assert kinds["status"] is TypeKind.ENUM
    assert kinds["created_at"] is TypeKind.TIMESTAMP
    assert kinds["updated_at"] is TypeKind.TIMESTAMPTZ
    assert kinds["external_id"] is TypeKind.CHAR and customers.column("external_id").length == 36
    assert kinds["profile"] is TypeKind.JSON
    assert customers.column("status").enum_values == ("new", "active", "it's")
    assert customers.column("id").autoincrement and customers.column("id").attrs["unsigned"]
    assert customers.column("email_domain").generated is not None
    assert customers.attrs["auto_increment"] == 4
    assert customers.comment == "people who buy"
    assert customers.engine_options["engine"] == "InnoDB"
    assert [u.columns for u in customers.uniques] == [("email",)]
    prefix = next(i for i in customers.indexes if i.name == "ix_customers_name")
    assert prefix.keys[0].prefix_length == 10

    lines = catalog.table("order_lines")
    (fk,) = lines.foreign_keys
    assert (fk.columns, fk.ref_table, fk.ref_columns) == (
        ("order_no", "customer_id"),
        "orders",
        ("order_no", "customer_id"),
    )
    assert fk.on_update == "CASCADE"
    assert lines.primary_key.columns == ("customer_id", "order_no", "line_no")
    assert [c.expression for c in lines.checks] == ["`qty` > 0"]
    assert catalog.table("orders").foreign_keys[0].on_delete == "CASCADE"

    assert catalog.table("legacy_log").engine_options["engine"] == "MyISAM"
    assert catalog.table("audit_events").primary_key is None


def test_hostile_identifiers_introspect_and_probe(mysql_url):
    mysql_execute(mysql_url, HOSTILE)
    with _session(mysql_url) as session:
        catalog = session.introspect()
        parent = catalog.table("a`; drop table x; --")
        child = catalog.table("顧客")
        assert parent.column_names == ("select", "naïve ünïcode")
        assert child.primary_key.columns == ("order",)
        (fk,) = child.foreign_keys
        assert (fk.name, fk.columns, fk.ref_table) == ("fk `odd`", ("from",), "a`; drop table x; --")
        probe = session.probe
        assert sorted(probe.sample_values(parent, "naïve ünïcode")) == ["ß", "één"]
        assert sorted(probe.sample_values(child, "order", limit=2)) == ["10", "11"]
        assert probe.count_orphans(child, ("from",), parent, ("select",)) == (4, 2)
        checked, orphans = probe.count_orphans(child, ("from",), parent, ("select",), limit=2)
        assert checked == 2 and orphans <= 2
        with pytest.raises(InputError):
            probe.sample_values(child, "no such column")
    with _session(mysql_url) as session:
        assert session.introspect().table("a`; drop table x; --") is not None  # nothing was dropped


def _tables(count: int, start: int = 0) -> str:
    return "\n".join(
        f"CREATE TABLE t{n} (id INT PRIMARY KEY, ref INT, KEY ix_ref (ref), "
        f"CONSTRAINT fk_t{n} FOREIGN KEY (ref) REFERENCES t{n} (id));"
        for n in range(start, start + count)
    )


def test_round_trips_do_not_grow_with_table_count(mysql_url):
    mysql_execute(mysql_url, _tables(5))
    with _session(mysql_url) as session:
        assert len(session.introspect().tables) == 5
        few = session.round_trips
    mysql_execute(mysql_url, _tables(45, start=5))
    with _session(mysql_url) as session:
        assert len(session.introspect().tables) == 50
        many = session.round_trips
    assert few == many
    assert few <= 15


def _fingerprint(url: str) -> dict[str, tuple[int, int]]:
    parts = urlsplit(url)
    conn = pymysql.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        database=parts.path.lstrip("/"),
    )
    with conn, conn.cursor() as cur:
        sums = {}
        for table in ("customers", "orders", "order_lines", "legacy_log", "audit_events"):
            cur.execute(f"SELECT COUNT(*) FROM `{table}`")
            (rows,) = cur.fetchone()
            cur.execute(f"CHECKSUM TABLE `{table}`")
            sums[table] = (rows, cur.fetchone()[1])
        return sums


def test_session_is_read_only_and_leaves_data_unchanged(mysql_url):
    mysql_execute(mysql_url, SHOP)
    before = _fingerprint(mysql_url)
    with _session(mysql_url) as session:
        catalog = session.introspect()
        probe = session.probe
        customers, orders = catalog.table("customers"), catalog.table("orders")
        assert sorted(probe.sample_values(customers, "email")) == [
            "a@example.com",
            "b@example.org",
            "c@example.org",
        ]
        assert probe.count_orphans(orders, ("customer_id",), customers, ("id",)) == (3, 0)
        with session.connection.cursor() as cursor:
            with pytest.raises(pymysql.err.MySQLError, match=READ_ONLY_REFUSAL):
                cursor.execute("INSERT INTO audit_events VALUES (NOW(), 'written')")
            with pytest.raises(pymysql.err.MySQLError, match=READ_ONLY_REFUSAL):
                cursor.execute("UPDATE customers SET name = 'x'")
        session.connection.commit()  # even after the transaction ends, the session stays read-only
        with (
            session.connection.cursor() as cursor,
            pytest.raises(pymysql.err.MySQLError, match=READ_ONLY_REFUSAL),
        ):
            cursor.execute("DELETE FROM legacy_log")
    assert _fingerprint(mysql_url) == before
    assert before["customers"][0] == 3


def test_statement_timeout_is_enforced_by_the_server(mysql_url):
    with _session(mysql_url, statement_timeout_ms=1000) as session:
        started = time.monotonic()
        with pytest.raises(ConnectError, match="(?i)interrupted|exceeded|timeout"):
            session.run("SELECT SLEEP(5)")
        assert time.monotonic() - started < 4
        (row,) = session.run("SELECT @@lock_wait_timeout AS lw, @@innodb_lock_wait_timeout AS ilw")
        assert (int(row["lw"]), int(row["ilw"])) == (1, 1)


def _with(
    url: str, *, password: str | None = None, port: int | None = None, database: str | None = None
) -> str:
    parts = urlsplit(url)
    user = parts.username or "root"
    auth = f"{user}:{password}@" if password is not None else f"{user}@"
    netloc = f"{auth}{parts.hostname}:{port or parts.port or 3306}"
    path = parts.path if database is None else f"/{database}"
    return urlunsplit(parts._replace(netloc=netloc, path=path))


def test_wrong_password_is_a_one_line_redacted_connect_error(mysql_url):
    with pytest.raises(ConnectError) as raised:
        connect(_with(mysql_url, password="s3cr3t-Pa55"))
    message = str(raised.value)
    assert "s3cr3t-Pa55" not in message and "\n" not in message
    assert "***" in message


def test_unreachable_port_is_a_connect_error(mysql_url):
    with pytest.raises(ConnectError) as raised:
        connect(_with(mysql_url, password="hunter2", port=1), SessionOptions(connect_timeout_s=2))
    assert "hunter2" not in str(raised.value) and "\n" not in str(raised.value)


def test_url_must_name_an_existing_database(mysql_url):
    with pytest.raises(InputError, match="names no database"):
        connect(_with(mysql_url, database=""))
    with pytest.raises(InputError, match="does not exist"):
        connect(_with(mysql_url, database="dbx_no_such_database"))
    with pytest.raises(InputError, match="unsupported parameter"):
        connect(parse_url(mysql_url + "?sslmode=require"))
