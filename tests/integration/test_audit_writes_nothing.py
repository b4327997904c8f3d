"""A full audit of a populated database changes nothing, and its session cannot write."""

from __future__ import annotations

import pytest

from dbexpert.api.audit import audit
from dbexpert.api.config import Config
from dbexpert.engines import connect
from tests.conftest import mysql_execute, pg_execute

PG_SCHEMA = """
CREATE TABLE customers (id serial PRIMARY KEY, email varchar(200), phone1 text, phone2 text, tags text);
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id int REFERENCES customers,
                     status text, total double precision, created_at timestamp);
CREATE INDEX orders_status ON orders (status);
CREATE INDEX orders_status_2 ON orders (status);
CREATE TABLE notes (customer_id int, body json);
INSERT INTO customers (email, phone1, tags) SELECT 'c' || g || '@x.test', '555' || g, 'a,b,c' FROM generate_series(1, 2000) g;
INSERT INTO orders (customer_id, status, total, created_at)
  SELECT 1 + g % 2000, (ARRAY['new','paid','shipped'])[1 + g % 3], g * 1.5, now() FROM generate_series(1, 20000) g;
INSERT INTO notes SELECT g, '{}' FROM generate_series(1, 3000) g;
ANALYZE;
"""

PG_FINGERPRINT = """
SELECT string_agg(t || ':' || n || ':' || h, ',' ORDER BY t) FROM (
  SELECT 'customers' t, count(*) n, md5(string_agg(c::text, '' ORDER BY id)) h FROM customers c
  UNION ALL SELECT 'orders', count(*), md5(string_agg(o::text, '' ORDER BY id)) FROM orders o
  UNION ALL SELECT 'notes', count(*), md5(string_agg(x::text, '' ORDER BY customer_id)) FROM notes x
  UNION ALL SELECT 'schema', count(*), md5(string_agg(indexdef, '' ORDER BY indexdef)) FROM pg_indexes WHERE schemaname = 'public'
) s
"""


def _pg_fingerprint(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(PG_FINGERPRINT).fetchone()[0]


def test_postgres_full_audit_changes_nothing(pg_url: str):
    pg_execute(pg_url, PG_SCHEMA)
    before = _pg_fingerprint(pg_url)
    result = audit([pg_url], Config(select=("ALL",)))
    assert result.findings and result.mode == "live"
    assert _pg_fingerprint(pg_url) == before
    with connect(pg_url) as session:
        session.introspect()
        with pytest.raises(Exception, match="read-only"):
            session.connection.execute("INSERT INTO notes VALUES (1, '{}')")


MYSQL_SCHEMA = """
CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200), phone1 TEXT, phone2 TEXT, tags TEXT);
CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT, status VARCHAR(10), total DOUBLE,
                     created_at DATETIME, uuid CHAR(36), FOREIGN KEY (customer_id) REFERENCES customers (id));
CREATE INDEX orders_status ON orders (status);
CREATE INDEX orders_status_2 ON orders (status);
CREATE TABLE notes (customer_id INT, body JSON);
INSERT INTO customers (email, phone1, tags) SELECT CONCAT('c', seq, '@x.test'), CONCAT('555', seq), 'a,b,c' FROM seq_1_to_2000;
INSERT INTO orders (customer_id, status, total, created_at, uuid)
  SELECT 1 + seq % 2000, ELT(1 + seq % 3, 'new', 'paid', 'shipped'), seq * 1.5, NOW(), UUID() FROM seq_1_to_5000;
INSERT INTO notes SELECT seq, '{}' FROM seq_1_to_3000;
ANALYZE TABLE customers, orders, notes;
"""


def _mysql_fingerprint(url: str) -> tuple:
    import pymysql

    from tests.conftest import mysql_connect_args

    conn = pymysql.connect(**mysql_connect_args(url))
    with conn, conn.cursor() as cur:
        cur.execute("CHECKSUM TABLE customers, orders, notes EXTENDED")
        sums = cur.fetchall()
        cur.execute(
            "SELECT GROUP_CONCAT(CONCAT(TABLE_NAME, INDEX_NAME, COLUMN_NAME) ORDER BY 1) "
            "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
        )
        return sums, cur.fetchone()


def test_mariadb_full_audit_changes_nothing(mysql_url: str):
    mysql_execute(mysql_url, MYSQL_SCHEMA)
    before = _mysql_fingerprint(mysql_url)
    result = audit([mysql_url], Config(select=("ALL",)))
    assert result.findings and result.mode == "live"
    assert _mysql_fingerprint(mysql_url) == before
    with connect(mysql_url) as session:
        session.introspect()
        with pytest.raises(Exception, match="(?i)read.only"):
            with session.connection.cursor() as cur:
                cur.execute("INSERT INTO notes VALUES (1, '{}')")
