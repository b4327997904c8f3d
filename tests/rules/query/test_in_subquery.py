from dbexpert.api.config import Config
from dbexpert.api.query import check_sql
from dbexpert.model import Applicability, Catalog, Engine, Version
from tests.rules.query.helpers import findings
from tests.rules.query.shop_data import SCHEMA, rows

RULE = "in-subquery"
UNDER_OR = "SELECT id FROM customers\nWHERE region = 'eu' OR id IN (SELECT customer_id FROM orders WHERE total > 1000)"


def test_in_under_or_becomes_exists():
    [finding] = findings(RULE, UNDER_OR)
    assert (finding.location.line, finding.location.column) == (2, 24)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == (
        "SELECT id FROM customers WHERE region = 'eu' OR "
        "EXISTS(SELECT 1 FROM orders WHERE total > 1000 AND orders.customer_id = customers.id)"
    )


def test_distinct_and_correlated_subqueries_fire_and_aliases_are_kept():
    sql = "SELECT id FROM customers c WHERE id IN (SELECT DISTINCT o.customer_id FROM orders o)"
    [finding] = findings(RULE, sql)
    assert "DISTINCT" in finding.message
    assert finding.fix is not None
    assert finding.fix.sql == (
        "SELECT id FROM customers AS c WHERE EXISTS(SELECT 1 FROM orders AS o WHERE o.customer_id = c.id)"
    )
    correlated = "SELECT c.id FROM customers c WHERE c.email IN (SELECT s.email FROM suppliers s WHERE s.name = c.name)"
    [finding] = findings(RULE, correlated)
    assert "correlated" in finding.message


def test_rewrites_return_the_same_rows():
    for sql in (
        UNDER_OR,
        "SELECT id FROM customers c WHERE id IN (SELECT DISTINCT o.customer_id FROM orders o WHERE o.coupon_code IS NOT NULL)",
        "SELECT c.id FROM customers c WHERE c.email IN (SELECT s.email FROM suppliers s WHERE s.name = c.name)",
        "SELECT c.id FROM customers c WHERE c.region IS NULL OR c.region IN (SELECT o.coupon_code FROM orders o WHERE o.customer_id = c.id)",
    ):
        [finding] = findings(RULE, sql, schema=SCHEMA, engine=Engine.SQLITE)
        assert finding.fix is not None and finding.fix.sql
        assert rows(finding.fix.sql) == rows(sql), sql


def test_old_mysql_has_no_semijoin():
    sql = "SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders)"
    old = Catalog(engine=Engine.MYSQL, version=Version(5, 5))
    config = Config(select=(RULE,), engine=Engine.MYSQL)
    [finding] = [f for f in check_sql(sql, "q.sql", config, old).findings]
    assert "5.5" in finding.message
    new = Catalog(engine=Engine.MYSQL, version=Version(8, 0))
    assert check_sql(sql, "q.sql", config, new).findings == ()


def test_plain_uncorrelated_in_is_a_semijoin_and_not_reported():
    sql = (
        "SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE status = 'open');"
        "SELECT id FROM customers WHERE region = 'eu' AND id IN (SELECT customer_id FROM orders);"
        "SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM orders);"
        "SELECT id FROM customers WHERE id IN (1, 2, 3) OR region = 'eu'"
    )
    assert findings(RULE, sql) == []
    assert findings(RULE, sql, engine=Engine.MYSQL) == []
