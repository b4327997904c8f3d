from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings
from tests.rules.query.shop_data import SCHEMA, rows

RULE = "distinct-hides-join-fanout"
SQL = (
    "SELECT DISTINCT c.id, c.email\n"
    "FROM customers c JOIN orders o ON o.customer_id = c.id\n"
    "WHERE o.status = 'paid' AND c.region = 'eu'"
)


def test_semi_join_rewrite_is_safe_when_the_key_is_selected():
    [finding] = findings(RULE, SQL, schema=SCHEMA)
    assert (finding.location.line, finding.location.column) == (1, 1)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == (
        "SELECT c.id, c.email FROM customers AS c WHERE c.region = 'eu' AND "
        "EXISTS(SELECT 1 FROM orders AS o WHERE o.customer_id = c.id AND o.status = 'paid')"
    )
    [sqlite] = findings(RULE, SQL, schema=SCHEMA, engine=Engine.SQLITE)
    assert sqlite.fix is not None and sqlite.fix.sql
    assert rows(sqlite.fix.sql) == rows(SQL)


def test_without_a_key_the_rewrite_is_unsafe():
    sql = "SELECT DISTINCT c.name FROM customers c JOIN orders o ON o.customer_id = c.id"
    [finding] = findings(RULE, sql, schema=SCHEMA)
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert "genuine duplicates" in finding.fix.description
    [without_schema] = findings(RULE, SQL)
    assert without_schema.fix is not None and without_schema.fix.applicability is Applicability.UNSAFE


def test_columns_from_both_sides_outer_joins_and_plain_joins_are_fine():
    sql = (
        "SELECT DISTINCT c.id, o.status FROM customers c JOIN orders o ON o.customer_id = c.id;"
        "SELECT DISTINCT c.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id;"
        "SELECT c.id, c.email FROM customers c JOIN orders o ON o.customer_id = c.id;"
        "SELECT DISTINCT c.region FROM customers c"
    )
    assert findings(RULE, sql, schema=SCHEMA) == []


def test_a_join_on_the_filter_tables_key_creates_no_copies():
    sql = "SELECT DISTINCT o.status FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.region = 'eu'"
    assert findings(RULE, sql, schema=SCHEMA) == []
    assert findings(RULE, sql) == []
