from __future__ import annotations

from tests.rules.plan.helpers import findings, findings_in

RULE = "sqlite-automatic-index"


def test_automatic_index_becomes_a_permanent_one():
    [finding] = findings(RULE, "sqlite/legacy.txt")
    assert finding.fix is not None
    assert finding.fix.sql == "CREATE INDEX orders_customer_id_idx ON orders (customer_id);"
    assert finding.location.line == 4 and finding.evidence["columns"] == ["customer_id"]


def test_alias_without_the_query_is_flagged():
    [finding] = findings(RULE, "sqlite/automatic_index.txt")
    assert finding.fix is not None and "may be an alias" in finding.fix.description


def test_partial_index_equality_then_one_range():
    text = (
        "sqlite> EXPLAIN QUERY PLAN SELECT * FROM customers c JOIN events e ON e.customer_id = c.id "
        "AND e.at > c.since WHERE e.kind = 'x';\n"
        "QUERY PLAN\n|--SCAN c\n`--SEARCH e USING AUTOMATIC PARTIAL COVERING INDEX (customer_id=? AND at>?)\n"
    )
    [finding] = findings_in(RULE, text)
    assert finding.evidence["partial"] and finding.fix is not None
    assert finding.fix.sql == "CREATE INDEX events_customer_id_at_idx ON events (customer_id, at);"


def test_permanent_indexes_and_materialized_subqueries_are_clean():
    assert not findings(RULE, "sqlite/search_index.txt")
    text = (
        "QUERY PLAN\n|--MATERIALIZE a\n|  `--SCAN orders\n|--SCAN o\n"
        "`--SEARCH a USING AUTOMATIC COVERING INDEX (customer_id=?)\n"
    )
    assert not findings_in(RULE, text)
