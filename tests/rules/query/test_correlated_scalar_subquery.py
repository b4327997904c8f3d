from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings
from tests.rules.query.shop_data import SCHEMA, rows

RULE = "correlated-scalar-subquery"
COUNT = (
    "SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid') AS paid\n"
    "FROM customers c"
)


def test_count_becomes_a_left_join_with_coalesce():
    [finding] = findings(RULE, COUNT)
    assert (finding.location.line, finding.location.column) == (
        1,
        22,
    )  # the first token sqlglot places: `count`
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == (
        "SELECT c.id, COALESCE(paid_by_customer_id.paid, 0) AS paid FROM customers AS c "
        "LEFT JOIN (SELECT o.customer_id, COUNT(*) AS paid FROM orders AS o WHERE o.status = 'paid' "
        "GROUP BY o.customer_id) AS paid_by_customer_id ON paid_by_customer_id.customer_id = c.id"
    )


def test_rewrites_return_the_same_rows():
    for sql in (
        COUNT,
        "SELECT c.id, c.email, (SELECT sum(o.total) FROM orders o WHERE o.customer_id = c.id) AS spent FROM customers c WHERE c.region = 'eu'",
        "SELECT c.id, (SELECT max(o.total) FROM orders o WHERE o.customer_id = c.id AND o.coupon_code IS NULL) AS top FROM customers c",
    ):
        [finding] = findings(RULE, sql, schema=SCHEMA, engine=Engine.SQLITE)
        assert finding.fix is not None and finding.fix.sql
        assert rows(finding.fix.sql) == rows(sql)


def test_a_plain_column_may_return_several_rows_so_the_fix_is_manual():
    sql = "SELECT c.id, (SELECT o.total FROM orders o WHERE o.customer_id = c.id) FROM customers c"
    [finding] = findings(RULE, sql)
    assert finding.fix is not None and finding.fix.applicability is Applicability.MANUAL
    assert "LATERAL" in finding.fix.description


def test_uncorrelated_subqueries_and_joins_are_fine():
    sql = (
        "SELECT c.id, (SELECT count(*) FROM orders) AS all_orders FROM customers c;"
        "SELECT c.id, count(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id;"
        "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)"
    )
    assert findings(RULE, sql) == []


def test_an_outer_query_reading_one_row_by_its_key_runs_the_subquery_once():
    sql = "SELECT u.id, (SELECT name FROM teams WHERE teams.id = u.team_id) FROM users u WHERE u.id = $1"
    assert findings(RULE, sql) == []
    schema = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, team_id bigint);"
    by_email = "SELECT u.id, (SELECT count(*) FROM teams t WHERE t.id = u.team_id) FROM users u WHERE u.email = 'a@x'"
    assert findings(RULE, by_email, schema=schema) == []
    by_team = (
        "SELECT u.id, (SELECT count(*) FROM teams t WHERE t.id = u.team_id) FROM users u WHERE u.team_id = 3"
    )
    assert len(findings(RULE, by_team, schema=schema)) == 1
