from __future__ import annotations

import pytest

from tests.rules.plan.helpers import findings

RULE = "seq-scan-large-filter"


@pytest.mark.parametrize("fixture", ["seq_text.txt", "seq.json", "seq_psql_json.txt"])
def test_seq_scan_removing_most_rows_wants_an_index(fixture: str):
    [finding] = findings(RULE, fixture)
    assert finding.evidence["rows_read"] == 200_000
    assert finding.evidence["rows_removed_by_filter"] == 198_000
    assert finding.fix is not None and finding.fix.sql == "CREATE INDEX CONCURRENTLY ON orders (status);"
    assert finding.location.path == fixture and finding.location.line == finding.location.line


def test_location_is_the_node_line():
    [finding] = findings(RULE, "seq_text.txt")
    assert (finding.location.line, finding.location.object) == (3, "orders")


def test_parallel_scans_count_rows_over_all_workers():
    [finding] = findings(RULE, "estimate_bad.txt")
    assert finding.evidence["rows_read"] == 200_000 and finding.evidence["columns"] == ["a", "b"]


def test_index_scan_small_tables_and_plans_without_analyze_are_clean():
    assert not findings(RULE, "seq_indexed.txt")
    assert not findings(RULE, "seq_text.txt", min_rows=500_000)
    assert not findings(RULE, "noanalyze.txt")
