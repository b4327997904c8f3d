from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings

RULE = "limit-without-order-by"
SCHEMA = "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric NOT NULL);"


def test_limit_without_order_is_reported_with_the_primary_key_order():
    sql = "SELECT id, status FROM orders\nWHERE status = 'open' LIMIT 50"
    [finding] = findings(RULE, sql, schema=SCHEMA)
    assert (finding.location.line, finding.location.column) == (
        2,
        29,
    )  # the first token sqlglot places: the count
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.sql == "SELECT id, status FROM orders WHERE status = 'open' ORDER BY id LIMIT 50"


def test_mysql_offset_form_parameters_and_unions():
    sql = (
        "SELECT id FROM orders LIMIT 20, 10;"
        "SELECT id FROM orders WHERE status = ? LIMIT ?;"
        "SELECT id FROM orders WHERE total > 5 UNION SELECT id FROM orders WHERE status = 'x' LIMIT 10"
    )
    found = findings(RULE, sql, engine=Engine.MYSQL)
    assert [f.location.line for f in found] == [1, 1, 1]
    assert all(f.fix is not None and f.fix.applicability is Applicability.MANUAL for f in found)


def test_ordered_single_row_and_existence_limits_are_fine():
    sql = (
        "SELECT id FROM orders ORDER BY id LIMIT 50;"
        "SELECT id FROM orders WHERE status = 'open' LIMIT 1;"
        "SELECT 1 FROM t WHERE EXISTS (SELECT 1 FROM orders WHERE status = 'x' LIMIT 5);"
        "SELECT count(*) FROM orders LIMIT 10;"
        "SELECT id FROM orders;"
        "SELECT id, status FROM orders WHERE id = $1 LIMIT 10"
    )
    assert findings(RULE, sql, schema=SCHEMA) == []


def test_the_threshold_is_an_option():
    assert findings(RULE, "SELECT id FROM orders LIMIT 5", min_limit=10) == []
