from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings

RULE = "or-across-columns"
SCHEMA = (
    "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, phone text);"
    "CREATE INDEX customers_email_idx ON customers (email);"
)


def test_or_across_columns_without_schema_gives_an_unsafe_union():
    sql = "SELECT id, email FROM customers\nWHERE email = $1 OR phone = $2"
    [finding] = findings(RULE, sql)
    assert finding.location.line == 2 and finding.location.column == 7
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.sql == (
        "SELECT id, email FROM customers WHERE email = $1 UNION SELECT id, email FROM customers WHERE phone = $2"
    )


def test_with_schema_the_selected_primary_key_makes_the_union_safe_and_names_missing_indexes():
    sql = "SELECT id, email FROM customers WHERE email = 'a@x.org' OR phone = '555'"
    [finding] = findings(RULE, sql, schema=SCHEMA)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.evidence["columns_without_index"] == ["customers.phone"]


def test_every_column_indexed_is_clean():
    schema = SCHEMA + "CREATE INDEX customers_phone_idx ON customers (phone);"
    sql = "SELECT id FROM customers WHERE email = 'a@x.org' OR phone = '555'"
    assert findings(RULE, sql, schema=schema) == []


def test_or_in_a_join_condition_is_the_worst_case():
    sql = "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id OR c.email = o.email"
    [finding] = findings(RULE, sql, engine=Engine.MYSQL)
    assert "join condition" in finding.message
    assert finding.evidence["in_join"] is True


def test_grouped_queries_get_no_union_rewrite():
    sql = "SELECT status, count(*) FROM orders WHERE status = 'new' OR customer_id = 7 GROUP BY status"
    [finding] = findings(RULE, sql, engine=Engine.SQLITE)
    assert finding.fix is not None and finding.fix.sql is None
    assert finding.fix.applicability is Applicability.MANUAL


def test_same_column_or_nested_or_and_optional_filters_are_clean():
    sql = (
        "SELECT id FROM orders WHERE status = 'new' OR status = 'paid';"
        "SELECT id FROM orders WHERE customer_id = 5 AND (status = 'new' OR total > 100);"
        "SELECT id FROM orders WHERE $1::text IS NULL OR status = $1;"
        "SELECT id FROM orders WHERE a.x = 1 OR a.x IS NULL"
    )
    assert findings(RULE, sql) == []


def test_safe_union_returns_the_same_rows(pg_url: str):
    import psycopg

    sql = "SELECT id, email FROM customers WHERE email = 'a@x.org' OR phone = '555' ORDER BY 1"
    [finding] = findings(RULE, sql.replace(" ORDER BY 1", ""), schema=SCHEMA)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute(
            "INSERT INTO customers VALUES (1, 'a@x.org', '555'), (2, 'a@x.org', NULL), (3, 'b@x.org', '555'),"
            " (4, 'c@x.org', '556'), (5, 'c@x.org', NULL)"
        )
        before = conn.execute(sql).fetchall()
        after = conn.execute(f"SELECT * FROM ({finding.fix.sql}) u ORDER BY 1").fetchall()
    assert before == after == [(1, "a@x.org"), (2, "a@x.org"), (3, "b@x.org")]
