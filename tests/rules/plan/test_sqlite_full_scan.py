from __future__ import annotations

from tests.rules.plan.helpers import findings, findings_in

RULE = "sqlite-full-scan"


def test_scan_of_a_filtered_table_names_the_index():
    [finding] = findings(RULE, "sqlite/full_scan_filter.txt")
    assert finding.fix is not None and finding.fix.sql == "CREATE INDEX orders_total_idx ON orders (total);"
    assert finding.evidence["columns"] == ["total"] and "no row counts" in finding.evidence["source"]
    assert (finding.location.path, finding.location.line, finding.location.object) == (
        "sqlite/full_scan_filter.txt",
        3,
        "orders",
    )


def test_scan_in_the_inner_loop_of_a_join_uses_the_join_columns_and_real_table_name():
    text = (
        "sqlite> EXPLAIN QUERY PLAN SELECT * FROM customers c JOIN orders o ON o.total > c.id;\n"
        "QUERY PLAN\n|--SCAN c\n`--SCAN o\n"
    )
    [finding] = findings_in(RULE, text)
    assert finding.location.line == 4 and "inner loop" in finding.evidence["role"]
    assert finding.fix is not None and finding.fix.sql == "CREATE INDEX orders_total_idx ON orders (total);"


def test_inner_scan_without_the_query_still_reported_without_sql():
    [finding] = findings_in(RULE, "QUERY PLAN\n|--SCAN c\n`--SCAN o\n")
    assert finding.fix is not None and finding.fix.sql is None and "paste the query" in finding.fix.description


def test_clean_plans():
    for fixture in (
        "sqlite/full_scan_all.txt",  # no filter: the whole table is wanted
        "sqlite/covering_scan.txt",
        "sqlite/search_index.txt",
        "sqlite/rowid.txt",
        "sqlite/join_pk.txt",  # outer loop of a join, filtered on the other table
        "sqlite/coroutine.txt",  # SCAN t of a subquery
        "sqlite/correlated.txt",  # the subquery's scan is sqlite-correlated-subquery's
        "sqlite/temp_group_by.txt",  # lone scan, query unknown
    ):
        assert not findings(RULE, fixture), fixture
    assert not findings_in(RULE, "QUERY PLAN\n`--SCAN CONSTANT ROW\n")


def test_option_limits_the_rule_to_join_loops():
    assert not findings(RULE, "sqlite/full_scan_filter.txt", report_filtered_scans=False)
