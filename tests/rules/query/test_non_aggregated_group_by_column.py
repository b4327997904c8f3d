from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings

RULE = "non-aggregated-group-by-column"
SCHEMA = """
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(200) NOT NULL, region varchar(20));
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status varchar(20) NOT NULL, total decimal(12, 2) NOT NULL);
"""


def test_bare_column_is_reported_with_group_by_fix():
    sql = "SELECT customer_id, status, sum(total)\nFROM orders GROUP BY customer_id"
    [finding] = findings(RULE, sql, engine=Engine.MYSQL)
    assert (finding.location.line, finding.location.column) == (1, 21)
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert (
        finding.fix.sql == "SELECT customer_id, status, SUM(total) FROM orders GROUP BY customer_id, status"
    )
    assert "ANY_VALUE(status)" in finding.fix.description


def test_sqlite_suggests_min_and_postgres_is_not_checked():
    sql = "SELECT region, email, count(*) FROM customers GROUP BY region"
    [finding] = findings(RULE, sql, engine=Engine.SQLITE)
    assert "MIN(email)" in finding.fix.description if finding.fix else False
    assert findings(RULE, sql, engine=Engine.POSTGRES) == []


def test_columns_dependent_on_a_grouped_primary_key_are_fine_with_schema():
    sql = "SELECT c.id, c.email, count(o.id) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id"
    assert findings(RULE, sql, schema=SCHEMA, engine=Engine.MYSQL) == []
    assert findings(RULE, sql, engine=Engine.MYSQL) == []  # without a schema, `id` is taken as the key
    by_region = "SELECT c.region, c.email FROM customers c GROUP BY c.region"
    [finding] = findings(RULE, by_region, schema=SCHEMA, engine=Engine.MYSQL)
    assert finding.evidence["column"] == "customers.email"
    by_email = "SELECT c.email, c.region FROM customers c GROUP BY c.email"  # not unique: no UNIQUE in SCHEMA
    assert len(findings(RULE, by_email, schema=SCHEMA, engine=Engine.MYSQL)) == 1


def test_grouped_aggregated_and_pinned_columns_are_fine():
    sql = (
        "SELECT status, count(*) FROM orders GROUP BY status;"
        "SELECT DATE(created_at), count(*) FROM orders GROUP BY DATE(created_at);"
        "SELECT status AS s, max(total) FROM orders GROUP BY s;"
        "SELECT customer_id, status, sum(total) FROM orders WHERE status = 'paid' GROUP BY customer_id;"
        "SELECT customer_id, ANY_VALUE(status) FROM orders GROUP BY 1;"
        "SELECT region FROM customers"
    )
    assert findings(RULE, sql, schema=SCHEMA, engine=Engine.MYSQL) == []


def test_rollup_is_left_alone():
    assert (
        findings(RULE, "SELECT region, count(*) FROM customers GROUP BY ROLLUP (region)", engine=Engine.MYSQL)
        == []
    )
    assert (
        findings(
            RULE, "SELECT region, count(*) FROM customers GROUP BY region WITH ROLLUP", engine=Engine.MYSQL
        )
        == []
    )
