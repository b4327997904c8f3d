from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings
from tests.rules.query.shop_data import SCHEMA, rows

RULE = "union-instead-of-union-all"
DISCRIMINATED = (
    "SELECT 'customer' AS kind, id, email FROM customers\nUNION\nSELECT 'supplier', id, email FROM suppliers"
)


def test_constant_discriminator_and_keys_make_union_all_safe():
    [finding] = findings(RULE, DISCRIMINATED, schema=SCHEMA)
    assert (finding.location.line, finding.location.column) == (1, 1)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == (
        "SELECT 'customer' AS kind, id, email FROM customers UNION ALL SELECT 'supplier', id, email FROM suppliers"
    )


def test_disjoint_filters_on_one_table_with_its_key():
    sql = "SELECT id, total FROM orders WHERE status = 'paid' UNION SELECT id, total FROM orders WHERE status = 'refunded'"
    [finding] = findings(RULE, sql, schema=SCHEMA)
    assert "status" in finding.message


def test_without_schema_an_id_column_is_assumed_unique_and_unsafe():
    [finding] = findings(RULE, DISCRIMINATED)
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE


def test_rewrites_return_the_same_rows():
    for sql in (
        DISCRIMINATED,
        "SELECT id, total FROM orders WHERE status = 'paid' UNION SELECT id, total FROM orders WHERE status = 'open'",
        "SELECT 'paid' AS s, count(*) FROM orders WHERE status = 'paid' UNION SELECT 'open', count(*) FROM orders WHERE status = 'open'",
    ):
        [finding] = findings(RULE, sql, schema=SCHEMA, engine=Engine.SQLITE)
        assert finding.fix is not None and finding.fix.sql
        assert rows(finding.fix.sql) == rows(sql), sql


def test_unions_that_may_merge_rows_are_not_reported():
    sql = (
        # same constant, or no key: duplicates inside a branch are really removed
        "SELECT 'x', name FROM customers UNION SELECT 'y', name FROM suppliers;"
        "SELECT email FROM customers UNION SELECT email FROM suppliers;"
        "SELECT id FROM orders WHERE status = 'paid' UNION SELECT id FROM orders WHERE total > 100;"
        "SELECT 'a' AS k, id FROM customers UNION ALL SELECT 'b', id FROM suppliers"
    )
    assert findings(RULE, sql, schema=SCHEMA) == []
