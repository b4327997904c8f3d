from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings
from tests.rules.query.shop_data import SCHEMA, rows

RULE = "having-without-aggregate"
SQL = (
    "SELECT status, sum(total) FROM orders\nGROUP BY status HAVING status <> 'cancelled' AND sum(total) > 10"
)


def test_grouped_column_condition_moves_to_where():
    [finding] = findings(RULE, SQL)
    assert (finding.location.line, finding.location.column) == (2, 24)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == (
        "SELECT status, SUM(total) FROM orders WHERE status <> 'cancelled' GROUP BY status HAVING SUM(total) > 10"
    )


def test_rewrites_return_the_same_rows():
    for sql in (
        SQL,
        "SELECT o.customer_id, count(*) FROM orders o WHERE o.total > 1 GROUP BY o.customer_id HAVING o.customer_id IN (1, 3)",
        "SELECT status FROM orders GROUP BY 1 HAVING status LIKE 'p%'",
    ):
        [finding] = findings(RULE, sql, schema=SCHEMA, engine=Engine.SQLITE)
        assert finding.fix is not None and finding.fix.sql
        assert rows(finding.fix.sql) == rows(sql), sql


def test_aggregates_aliases_and_rollup_stay_in_having():
    sql = (
        "SELECT status, sum(total) FROM orders GROUP BY status HAVING sum(total) > 10;"
        "SELECT status, count(*) FROM orders GROUP BY status HAVING count(*) > 1 OR status = 'x';"
        "SELECT customer_id FROM orders GROUP BY customer_id HAVING max(total) > 5 AND customer_id > 0 AND min(total) < 1000"
    )
    [only] = findings(RULE, sql)
    assert only.location.line == 1 and "customer_id > 0" in only.message
    mysql = (
        "SELECT status, count(*) AS n FROM orders GROUP BY status HAVING n > 1;"
        "SELECT status, count(*) FROM orders GROUP BY status WITH ROLLUP HAVING status IS NOT NULL"
    )
    assert findings(RULE, mysql, engine=Engine.MYSQL) == []
