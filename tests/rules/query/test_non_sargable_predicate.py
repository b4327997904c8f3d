import sqlite3

import pytest

from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings

RULE = "non-sargable-predicate"
ORDERS = (
    "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, total integer);"
    "CREATE INDEX orders_created_at_idx ON orders (created_at);"
)


def test_date_cast_becomes_a_half_open_range_safe_with_a_timestamp_column():
    sql = "SELECT id\nFROM orders WHERE created_at::date = '2024-05-01'"
    [finding] = findings(RULE, sql, schema=ORDERS)
    assert finding.location.line == 2 and finding.location.column == 19
    assert "orders_created_at_idx" in finding.message
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == (
        "SELECT id FROM orders WHERE created_at >= '2024-05-01' AND created_at < '2024-05-02'"
    )


def test_without_schema_the_range_is_unsafe_and_says_the_condition():
    [finding] = findings(RULE, "SELECT id FROM orders WHERE date(created_at) > '2024-05-01'")
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert "date or timestamp" in finding.fix.description
    assert finding.fix.sql == "SELECT id FROM orders WHERE created_at >= '2024-05-02'"


def test_year_extraction_mysql_and_inside_or_is_parenthesised():
    sql = "SELECT id FROM orders WHERE YEAR(created_at) = 2024 OR status = 'open'"
    [finding] = findings(RULE, sql, engine=Engine.MYSQL)
    assert finding.fix is not None
    assert finding.fix.sql == (
        "SELECT id FROM orders WHERE (created_at >= '2024-01-01' AND created_at < '2025-01-01') "
        "OR status = 'open'"
    )


def test_date_trunc_month_and_strftime_on_sqlite():
    [pg] = findings(RULE, "SELECT id FROM orders WHERE date_trunc('month', created_at) = '2024-12-01'")
    assert pg.fix is not None and pg.fix.sql is not None
    assert "created_at >= '2024-12-01' AND created_at < '2025-01-01'" in pg.fix.sql
    sql = "SELECT id FROM orders WHERE strftime('%Y-%m', created_at) = '2024-02'"
    [lite] = findings(RULE, sql, engine=Engine.SQLITE)
    assert lite.fix is not None and lite.fix.applicability is Applicability.UNSAFE
    assert "ISO-8601" in lite.fix.description
    assert (
        lite.fix.sql == "SELECT id FROM orders WHERE created_at >= '2024-02-01' AND created_at < '2024-03-01'"
    )


def test_lower_without_a_rewrite_gives_the_expression_index():
    [pg] = findings(RULE, "SELECT id FROM users u WHERE lower(u.email) = $1")
    assert pg.fix is not None and pg.fix.applicability is Applicability.MANUAL
    assert pg.fix.sql == "CREATE INDEX users_lower_email_idx ON users ((LOWER(email)));"
    [lite] = findings(RULE, "SELECT id FROM users WHERE upper(email) = ?", engine=Engine.SQLITE)
    assert (
        lite.fix is not None and lite.fix.sql == "CREATE INDEX users_upper_email_idx ON users (UPPER(email));"
    )
    [my] = findings(RULE, "SELECT id FROM users WHERE CAST(code AS CHAR) = ?", engine=Engine.MYSQL)
    assert my.fix is not None and "8.0.13" in my.fix.description


def test_an_index_on_the_expression_silences_the_rule():
    schema = (
        "CREATE TABLE users (id bigint, email text); CREATE INDEX users_email_lower ON users (lower(email));"
    )
    assert findings(RULE, "SELECT id FROM users WHERE lower(email) = $1", schema=schema) == []


def test_arithmetic_is_moved_to_the_constant():
    [finding] = findings(RULE, "SELECT id FROM orders WHERE total + 10 > 100", schema=ORDERS)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == "SELECT id FROM orders WHERE total > 90"
    [moved] = findings(RULE, "SELECT id FROM orders WHERE created_at + interval '1 day' > now()")
    assert moved.fix is not None and moved.fix.applicability is Applicability.UNSAFE
    assert moved.fix.sql == "SELECT id FROM orders WHERE created_at > CURRENT_TIMESTAMP - INTERVAL '1 DAY'"


def test_coalesce_and_prefix_rewrites():
    [coalesce] = findings(RULE, "SELECT id FROM t WHERE coalesce(score, 0) = 0")
    assert (
        coalesce.fix is not None and coalesce.fix.sql == "SELECT id FROM t WHERE score = 0 OR score IS NULL"
    )
    [nested] = findings(RULE, "SELECT id FROM t WHERE a = 1 AND coalesce(score, 0) = 0")
    assert nested.fix is not None
    assert nested.fix.sql == "SELECT id FROM t WHERE a = 1 AND (score = 0 OR score IS NULL)"
    [prefix] = findings(RULE, "SELECT id FROM t WHERE left(code, 3) = 'abc'")
    assert prefix.fix is not None and prefix.fix.sql == "SELECT id FROM t WHERE code LIKE 'abc%'"
    assert "text_pattern_ops" in prefix.fix.description
    [glob] = findings(RULE, "SELECT id FROM t WHERE substr(code, 1, 2) = 'AB'", engine=Engine.SQLITE)
    assert glob.fix is not None and glob.fix.sql == "SELECT id FROM t WHERE code GLOB 'AB*'"


def test_prefix_with_a_wildcard_in_the_constant_gets_no_like_rewrite():
    [finding] = findings(RULE, "SELECT id FROM t WHERE left(code, 3) = 'a_c'")
    assert finding.fix is not None and finding.fix.sql is not None
    assert finding.fix.sql.startswith("CREATE INDEX")


def test_mysql_string_column_compared_with_a_number():
    schema = "CREATE TABLE users (id int PRIMARY KEY, phone varchar(20), KEY users_phone (phone));"
    [finding] = findings(
        RULE, "SELECT id FROM users WHERE phone = 5551234", schema=schema, engine=Engine.MYSQL
    )
    assert "users_phone" in finding.message
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.sql == "SELECT id FROM users WHERE phone = '5551234'"
    assert findings(RULE, "SELECT id FROM users WHERE id = 5551234", schema=schema, engine=Engine.MYSQL) == []


def test_clean_lookalikes():
    sql = (
        "SELECT lower(email), count(*) FROM users WHERE email = lower($1) GROUP BY 1 HAVING count(*) > 5;"
        "SELECT id FROM orders WHERE created_at >= now() - interval '7 days';"
        "SELECT id FROM orders WHERE total = 5 AND status IN ('a', 'b');"
        "SELECT CASE WHEN lower(status) = 'x' THEN 1 END FROM orders;"
        "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE lower(u.email) = lower(o.email)"
    )
    assert findings(RULE, sql) == []


@pytest.mark.parametrize(
    ("original", "rewritten"),
    [
        ("coalesce(score, 0) = 5", "score = 5"),
        ("coalesce(score, 0) = 0", "score = 0 OR score IS NULL"),
        ("score + 3 = 10", "score = 7"),
        ("score - 3 >= 4", "score >= 7"),
        ("substr(code, 1, 2) = 'AB'", "code GLOB 'AB*'"),
        ("date(created) = '2024-05-01'", "created >= '2024-05-01' AND created < '2024-05-02'"),
    ],
)
def test_safe_rewrites_return_the_same_rows_on_sqlite(original: str, rewritten: str):
    sql = f"SELECT id FROM t WHERE {original}"
    [finding] = findings(RULE, sql, engine=Engine.SQLITE)
    assert finding.fix is not None and finding.fix.sql == f"SELECT id FROM t WHERE {rewritten}"
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (id integer PRIMARY KEY, score integer, code text, created text)")
    rows = [
        (1, None, "ABc", "2024-05-01 00:00:00"),
        (2, 0, "abc", "2024-05-01 23:59:59.5"),
        (3, 5, "AB", "2024-04-30 23:59:59"),
        (4, 7, "A", "2024-05-02 00:00:00"),
        (5, 4, None, None),
        (6, -2, "AB%", "2024-05-01"),
    ]
    db.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    before = db.execute(sql).fetchall()
    after = db.execute(finding.fix.sql).fetchall()
    assert before == after and before


def test_date_range_returns_the_same_rows_on_postgres(pg_url: str):
    import psycopg

    schema = "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);"
    sql = "SELECT id FROM orders WHERE created_at::date = '2024-05-01' ORDER BY id"
    [finding] = findings(RULE, sql, schema=schema)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("SET TimeZone = 'Europe/Berlin'")
        conn.execute(schema)
        conn.execute(
            "INSERT INTO orders VALUES (1, '2024-04-30 23:59:59.999+02'), (2, '2024-05-01 00:00+02'),"
            " (3, '2024-05-01 23:59:59.9+02'), (4, '2024-05-02 00:00+02'), (5, '2024-04-30 22:30+00')"
        )
        before = conn.execute(sql).fetchall()
        after = conn.execute(finding.fix.sql or "").fetchall()
    assert before == after == [(2,), (3,), (5,)]
