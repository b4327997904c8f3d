"""MongoDB plans are hand-written from the manual's explain-results pages (no server exists here)."""

from __future__ import annotations

from tests.rules.plan.helpers import findings

RULE = "mongodb-collection-scan"


def test_collection_scan_with_a_filter_gets_an_index():
    [finding] = findings(RULE, "mongodb/collscan_execution_stats.json")
    assert finding.fix is not None and finding.fix.sql == "db.orders.createIndex({ status: 1 })"
    assert (finding.evidence["docs_examined"], finding.evidence["returned"]) == (200000, 2000)
    assert finding.location.line == 21 and "200,000 documents to return 2,000" in finding.message


def test_equality_before_range_and_sort_before_range():
    [planner] = findings(RULE, "mongodb/collscan_query_planner.json")
    assert planner.fix is not None and planner.fix.sql == "db.orders.createIndex({ customer_id: 1, created_at: 1 })"
    assert "no counts" in planner.evidence["source"]
    [legacy] = findings(RULE, "mongodb/sort_key_generator_legacy.txt")
    assert legacy.fix is not None and legacy.fix.sql == "db.orders.createIndex({ customer_id: 1, total: -1 })"


def test_slot_based_engine_and_shards():
    [sbe] = findings(RULE, "mongodb/sbe_collscan_mongosh.txt")
    assert sbe.evidence["docs_examined"] == 1250000 and sbe.evidence["returned"] == 118
    shards = findings(RULE, "mongodb/sharded_all_plans.json")
    assert [f.location.line for f in shards] == [72, 98]
    assert all(f.fix is not None and f.fix.sql == "db.events.createIndex({ kind: 1 })" for f in shards)


def test_index_scans_and_small_scans_are_clean():
    assert not findings(RULE, "mongodb/ixscan_execution_stats.json")
    assert not findings(RULE, "mongodb/collscan_execution_stats.json", min_docs_examined=500_000)
