"""MongoDB plans are hand-written from the manual's explain-results pages (no server exists here)."""

from __future__ import annotations

from tests.rules.plan.helpers import findings, findings_in
from tests.sources.plans.fixtures import fixture_text

RULE = "mongodb-in-memory-sort"


def test_sort_spilled_to_disk():
    [finding] = findings(RULE, "mongodb/sort_disk.json")
    assert finding.fix is not None and finding.fix.sql == "db.orders.createIndex({ status: 1, created_at: -1 })"
    assert finding.evidence["used_disk"] and finding.evidence["bytes_sorted"] == 187200000
    assert finding.location.line == 33 and "spilled to disk" in finding.message


def test_query_planner_sort_is_reported():
    [finding] = findings(RULE, "mongodb/sort_key_generator_legacy.txt")
    assert finding.fix is not None and finding.fix.sql == "db.orders.createIndex({ customer_id: 1, total: -1 })"


def test_thresholds():
    # 180,000 documents sorted but neither spilled nor near memLimit: only the count threshold fires.
    text = fixture_text("mongodb/sort_disk.json").replace('"usedDisk": true', '"usedDisk": false')
    text = text.replace('"totalDataSizeSorted": 187200000', '"totalDataSizeSorted": 1000')
    assert findings_in(RULE, text)
    assert not findings_in(RULE, text, options={"min_docs_sorted": 1_000_000})


def test_plans_without_sort_are_clean():
    assert not findings(RULE, "mongodb/ixscan_execution_stats.json")
    assert not findings(RULE, "mongodb/esr_good.json")
