from __future__ import annotations

from tests.rules.plan.helpers import findings, findings_in

RULE = "sqlite-temp-b-tree"


def test_order_by_after_an_equality_search_extends_that_index():
    [finding] = findings(RULE, "sqlite/search_then_sort.txt")
    assert finding.fix is not None
    assert finding.fix.sql == "CREATE INDEX orders_status_created_at_idx ON orders (status, created_at);"
    assert finding.evidence["equality_columns"] == ["status"] and finding.location.line == 4


def test_order_by_group_by_and_distinct():
    [order] = findings(RULE, "sqlite/temp_order_by.txt")
    assert order.fix is not None and order.fix.sql == "CREATE INDEX orders_created_at_idx ON orders (created_at);"
    [group] = findings(RULE, "sqlite/temp_group_by.txt")  # no query pasted: described, not written
    assert group.fix is not None and group.fix.sql is None and "GROUP BY" in group.fix.description
    text = (
        "sqlite> EXPLAIN QUERY PLAN SELECT DISTINCT region FROM customers;\n"
        "QUERY PLAN\n|--SCAN customers\n`--USE TEMP B-TREE FOR DISTINCT\n"
    )
    [distinct] = findings_in(RULE, text)
    assert distinct.fix is not None and distinct.fix.sql == "CREATE INDEX customers_region_idx ON customers (region);"


def test_descending_sort_and_legacy_alias():
    text = (
        "sqlite> EXPLAIN QUERY PLAN SELECT * FROM orders o ORDER BY o.total DESC;\n"
        "QUERY PLAN\n|--SCAN o\n`--USE TEMP B-TREE FOR ORDER BY\n"
    )
    [finding] = findings_in(RULE, text)
    assert finding.fix is not None and finding.fix.sql == "CREATE INDEX orders_total_idx ON orders (total DESC);"
    [legacy] = findings(RULE, "sqlite/legacy.txt")
    assert legacy.fix is not None and legacy.fix.sql == "CREATE INDEX customers_name_idx ON customers (name);"


def test_clean_plans_and_purposes_option():
    assert not findings(RULE, "sqlite/search_index.txt")
    assert not findings(RULE, "sqlite/full_scan_filter.txt")
    assert not findings(RULE, "sqlite/temp_group_by.txt", purposes=["ORDER BY"])
