import sqlite3

from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings

RULE = "between-timestamps"
SCHEMA = "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, ship_date date);"


def test_date_only_upper_bound_without_schema():
    sql = "SELECT count(*)\nFROM orders WHERE created_at BETWEEN '2024-01-01' AND '2024-01-31'"
    [finding] = findings(RULE, sql)
    assert finding.location.line == 2 and finding.location.column == 19
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.sql == (
        "SELECT COUNT(*) FROM orders WHERE created_at >= '2024-01-01' AND created_at < '2024-02-01'"
    )
    assert "after midnight" in finding.message


def test_end_of_day_upper_bound_on_mysql():
    sql = "SELECT id FROM orders WHERE created_at BETWEEN ? AND '2024-02-29 23:59:59'"
    [finding] = findings(RULE, sql, engine=Engine.MYSQL)
    assert finding.fix is not None
    assert finding.fix.sql == "SELECT id FROM orders WHERE created_at >= ? AND created_at < '2024-03-01'"
    assert "fractional second" in finding.message


def test_timestamp_column_with_parameters_fires_with_schema():
    [finding] = findings(RULE, "SELECT id FROM orders WHERE created_at BETWEEN $1 AND $2", schema=SCHEMA)
    assert finding.fix is not None and finding.fix.sql is None
    assert finding.fix.applicability is Applicability.MANUAL
    assert finding.evidence["column_type"] == "timestamptz"


def test_dates_integers_and_explicit_instants_are_clean():
    sql = (
        "SELECT id FROM orders WHERE ship_date BETWEEN '2024-01-01' AND '2024-01-31';"
        "SELECT id FROM orders WHERE id BETWEEN 10 AND 20;"
        "SELECT id FROM orders WHERE created_at BETWEEN '2024-01-01 08:00' AND '2024-01-01 12:00'"
    )
    assert findings(RULE, sql, schema=SCHEMA) == []
    no_schema = (
        "SELECT id FROM orders WHERE ship_date BETWEEN '2024-01-01' AND '2024-01-31';"
        "SELECT id FROM orders WHERE created_at BETWEEN $1 AND $2;"
        "SELECT id FROM orders WHERE total BETWEEN 10 AND 20"
    )
    assert findings(RULE, no_schema) == []


def test_the_rewrite_returns_the_rows_the_original_missed():
    sql = "SELECT id FROM orders WHERE created_at BETWEEN '2024-01-01' AND '2024-01-31' ORDER BY id"
    [finding] = findings(RULE, sql, engine=Engine.SQLITE)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE orders (id integer PRIMARY KEY, created_at text)")
    db.executemany(
        "INSERT INTO orders VALUES (?, ?)",
        [
            (1, "2024-01-01 00:00:00"),
            (2, "2024-01-31 00:00:00"),
            (3, "2024-01-31 18:30:00"),
            (4, "2024-02-01"),
        ],
    )
    # as text, even '2024-01-31 00:00:00' sorts after the bare upper bound '2024-01-31'
    assert db.execute(sql).fetchall() == [(1,)]
    assert db.execute(finding.fix.sql or "").fetchall() == [(1,), (2,), (3,)]


def test_sqlite_text_date_times_are_judged_by_the_bound_and_the_name():
    schema = "CREATE TABLE payments (id INTEGER PRIMARY KEY, paid_at TEXT NOT NULL, due_on TEXT);"
    sql = "SELECT count(*) FROM payments WHERE paid_at BETWEEN '2024-03-01' AND '2024-03-31'"
    assert findings("between-timestamps", sql, schema=schema, engine=Engine.SQLITE)
    sql = "SELECT count(*) FROM payments WHERE due_on BETWEEN '2024-03-01' AND '2024-03-31'"
    assert findings("between-timestamps", sql, schema=schema, engine=Engine.SQLITE) == []
