"""The TREE fixture is hand-written after the MySQL 8.0 reference manual's EXPLAIN ANALYZE examples
(no MySQL 8 server is available here)."""

from __future__ import annotations

from tests.rules.plan.helpers import findings

RULE = "mysql-rows-examined-vs-returned"


def test_range_scan_whose_filter_keeps_one_percent_wants_the_filtered_column_first():
    [finding] = findings(RULE, "mysql/mysql8_tree_analyze_range_filter.txt")
    assert (finding.evidence["rows_examined"], finding.evidence["rows_kept"]) == (12_000, 120)
    assert finding.fix is not None and finding.fix.sql == (
        "CREATE INDEX orders_status_created_at_idx ON orders (status, created_at) ALGORITHM=INPLACE LOCK=NONE;"
    )
    assert finding.location.line == 2


def test_full_scans_good_indexes_and_thresholds_are_clean():
    assert not findings(RULE, "mysql/mariadb_analyze_full_scan.json")  # mysql-full-table-scan's
    assert not findings(RULE, "mysql/mariadb_analyze_indexed.json")
    assert not findings(RULE, "mysql/mysql8_tree_analyze_join_indexed.txt")
    assert not findings(RULE, "mysql/mysql8_tree_analyze_range_filter.txt", max_kept_fraction=0.005)
