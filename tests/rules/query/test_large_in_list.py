from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings

RULE = "large-in-list"


def _values(n: int) -> str:
    return ", ".join(str(i) for i in range(1, n + 1))


def test_literal_list_becomes_one_array_parameter():
    sql = f"SELECT id\nFROM orders WHERE id IN ({_values(120)})"
    [finding] = findings(RULE, sql)
    assert finding.location.line == 2 and finding.location.column == 19
    assert finding.evidence["values"] == 120
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.sql == "SELECT id FROM orders WHERE id = ANY(CAST($1 AS BIGINT[]))"


def test_parameter_lists_count_and_keep_their_first_number():
    params = ", ".join(f"${i}" for i in range(2, 152))
    sql = f"SELECT id FROM orders WHERE tenant_id = $1 AND customer_id NOT IN ({params})"
    schema = "CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id int, customer_id integer);"
    [finding] = findings(RULE, sql, schema=schema)
    assert finding.evidence["bind_parameters"] == 150
    assert finding.fix is not None
    assert (
        finding.fix.sql
        == "SELECT id FROM orders WHERE tenant_id = $1 AND customer_id <> ALL (CAST($2 AS INT[]))"
    )


def test_mysql_placeholders_and_option():
    sql = "SELECT id FROM orders WHERE code IN (" + ", ".join("?" * 12) + ")"
    [finding] = findings(RULE, sql, engine=Engine.MYSQL, min_values=10)
    assert finding.fix is not None and finding.fix.sql is None
    assert "temporary table" in finding.fix.description


def test_short_lists_and_subqueries_are_clean():
    sql = (
        f"SELECT id FROM orders WHERE id IN ({_values(99)});"
        "SELECT id FROM orders WHERE id IN (SELECT order_id FROM items);"
        "SELECT id FROM orders WHERE id = ANY($1::bigint[])"
    )
    assert findings(RULE, sql) == []
