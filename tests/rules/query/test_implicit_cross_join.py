from dbexpert.model import Engine, Severity
from tests.rules.query.helpers import findings

RULE = "implicit-cross-join"


def test_comma_join_without_condition_is_a_cartesian_product():
    sql = "SELECT c.id, o.total\nFROM customers c, orders o\nWHERE c.region = 'eu' AND o.total > 100"
    [finding] = findings(RULE, sql)
    assert (finding.location.line, finding.location.column) == (2, 19)
    assert finding.severity is Severity.ERROR
    assert finding.evidence["unrelated_to"] == ["c"]


def test_third_table_left_unrelated():
    sql = "SELECT c.id FROM customers c, orders o, coupons k WHERE o.customer_id = c.id"
    [finding] = findings(RULE, sql, engine=Engine.MYSQL)
    assert finding.evidence["table"] == "coupons"


def test_related_comma_joins_cross_joins_and_derived_tables_are_fine():
    sql = (
        "SELECT c.id FROM customers c, orders o WHERE o.customer_id = c.id;"
        "SELECT c.id FROM customers c CROSS JOIN orders o;"
        "SELECT c.id FROM customers c, (SELECT max(total) AS m FROM orders) t WHERE c.id > 1;"
        "SELECT c.id FROM customers c, orders o WHERE EXISTS (SELECT 1 FROM coupons k WHERE k.code = o.coupon_code AND c.id = o.customer_id);"
        "SELECT id FROM customers, orders WHERE customer_id = id;"
        "WITH p AS (SELECT 1 AS n) SELECT c.id FROM customers c, p"
    )
    assert findings(RULE, sql) == []


def test_a_parameter_cte_first_is_not_a_product_of_tables():
    sql = "WITH p AS (SELECT 10 AS lim) SELECT o.id FROM p, orders o WHERE o.total > 5"
    assert findings(RULE, sql) == []


def test_sqlite_comma_join_is_told_from_an_explicit_cross_join():
    sql = "SELECT p.sku, w.code FROM products p, warehouses w WHERE p.is_active = 'Y'"
    assert findings("implicit-cross-join", sql, engine=Engine.SQLITE)
    sql = "SELECT p.sku, w.code FROM products p CROSS JOIN warehouses w WHERE p.is_active = 'Y'"
    assert findings("implicit-cross-join", sql, engine=Engine.SQLITE) == []
