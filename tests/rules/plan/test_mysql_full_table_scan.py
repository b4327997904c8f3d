from __future__ import annotations

import pytest

from tests.rules.plan.helpers import findings

RULE = "mysql-full-table-scan"


@pytest.mark.parametrize(
    "fixture", ["mysql/mariadb_analyze_full_scan.json", "mysql/mysql8_tree_analyze_full_scan.txt"]
)
def test_scan_keeping_one_percent_wants_an_index_on_the_filtered_column(fixture: str):
    [finding] = findings(RULE, fixture)
    assert finding.evidence["rows_examined"] == 20_000 and finding.evidence["rows_kept"] == 200
    assert finding.fix is not None
    assert finding.fix.sql == "CREATE INDEX orders_status_idx ON orders (status) ALGORITHM=INPLACE LOCK=NONE;"


def test_location_is_the_table_line():
    [finding] = findings(RULE, "mysql/mariadb_analyze_full_scan.json")
    assert (finding.location.line, finding.location.object) == (11, "orders")


def test_mysql_json_estimates_and_join_buffer_conditions_count():
    [estimated] = findings(RULE, "mysql/mysql8_json_filesort.json")
    assert estimated.evidence["rows_kept"] == 1983 and estimated.evidence["columns"] == ["customer_id"]
    [joined] = findings(RULE, "mysql/mariadb_analyze_join_bnl.json")
    assert joined.evidence["condition"] == "o.customer_id = c.`id` + 0" and joined.evidence["rows_kept"] == 10


def test_indexed_small_and_unfiltered_plans_are_clean():
    for fixture in (
        "mysql/mariadb_analyze_indexed.json",
        "mysql/mariadb_analyze_small_scan.json",
        "mysql/mariadb_analyze_group_temporary.json",
        "mysql/mariadb_analyze_join_indexed.json",
        "mysql/mysql8_tree_analyze_join_indexed.txt",
        "mysql/mariadb_explain_full_scan.json",  # MariaDB estimates filtered=100 without histograms
    ):
        assert not findings(RULE, fixture), fixture
    assert not findings(RULE, "mysql/mariadb_analyze_full_scan.json", min_rows=50_000)
