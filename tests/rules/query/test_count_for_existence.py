from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings
from tests.rules.query.shop_data import SCHEMA, rows

RULE = "count-for-existence"


def test_subquery_count_above_zero_becomes_exists():
    sql = "SELECT c.id FROM customers c\nWHERE (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) > 0"
    [finding] = findings(RULE, sql)
    assert (finding.location.line, finding.location.column) == (
        2,
        15,
    )  # the first token sqlglot places: `count`
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == (
        "SELECT c.id FROM customers AS c WHERE EXISTS(SELECT 1 FROM orders AS o WHERE o.customer_id = c.id)"
    )


def test_zero_equals_count_of_a_column_becomes_not_exists_with_is_not_null():
    sql = "SELECT c.id FROM customers c WHERE 0 = (SELECT count(o.coupon_code) FROM orders o WHERE o.customer_id = c.id)"
    [finding] = findings(RULE, sql)
    assert finding.fix is not None
    assert finding.fix.sql == (
        "SELECT c.id FROM customers AS c WHERE NOT EXISTS(SELECT 1 FROM orders AS o "
        "WHERE o.customer_id = c.id AND o.coupon_code IS NOT NULL)"
    )


def test_select_count_greater_than_zero_becomes_select_exists():
    sql = "SELECT count(*) > 0 AS has_open FROM orders WHERE customer_id = ? AND status = 'open'"
    [finding] = findings(RULE, sql, engine=Engine.MYSQL)
    assert finding.fix is not None
    assert finding.fix.sql == (
        "SELECT EXISTS(SELECT 1 FROM orders WHERE customer_id = ? AND status = 'open') AS has_open"
    )


def test_rewrites_return_the_same_rows():
    for sql in (
        "SELECT c.id FROM customers c WHERE (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) >= 1",
        "SELECT c.id FROM customers c WHERE (SELECT count(o.coupon_code) FROM orders o WHERE o.customer_id = c.id) = 0",
        "SELECT c.id FROM customers c WHERE 0 <> (SELECT COUNT(1) FROM orders o WHERE o.customer_id = c.id AND o.total > 100)",
        "SELECT count(*) > 0 FROM orders WHERE customer_id = 4",
        "SELECT count(*) > 0 AS x FROM orders WHERE customer_id = 1",
    ):
        [finding] = findings(RULE, sql, schema=SCHEMA, engine=Engine.SQLITE)
        assert finding.fix is not None and finding.fix.sql
        assert rows(finding.fix.sql) == rows(sql), sql


def test_counts_that_are_not_existence_tests_are_fine():
    sql = (
        "SELECT count(*) FROM orders WHERE customer_id = 1;"
        "SELECT c.id FROM customers c WHERE (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) > 5;"
        "SELECT status, count(*) > 0 FROM orders GROUP BY status;"
        "SELECT c.id FROM customers c WHERE (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) >= 0"
    )
    assert findings(RULE, sql) == []
