"""MongoDB plans are hand-written from the manual's explain-results pages (no server exists here)."""

from __future__ import annotations

from tests.rules.plan.helpers import findings, findings_in
from tests.sources.plans.fixtures import fixture_text

RULE = "mongodb-docs-examined-vs-returned"


def test_fetch_filter_discarding_most_documents():
    [finding] = findings(RULE, "mongodb/docs_examined.json")
    assert finding.fix is not None and finding.fix.sql == "db.orders.createIndex({ status: 1, total: 1 })"
    assert finding.evidence["ratio"] == 1828.6 and finding.evidence["indexes_used"] == ["status_1"]
    assert finding.location.line == 33


def test_projection_suggests_a_covered_query():
    text = fixture_text("mongodb/docs_examined.json").replace(
        '"filter": { "status": "paid", "total": { "$gt": 500 } }, "$db"',
        '"filter": { "status": "paid", "total": { "$gt": 500 } }, "projection": { "_id": 0, "customer_id": 1 }, "$db"',
    )
    [finding] = findings_in(RULE, text)
    assert finding.fix is not None
    assert "db.orders.createIndex({ status: 1, total: 1, customer_id: 1 })" in finding.fix.description


def test_selective_plans_unanalyzed_plans_and_collection_scans_are_clean():
    assert not findings(RULE, "mongodb/ixscan_execution_stats.json")
    assert not findings(RULE, "mongodb/esr_range_first.json")
    assert not findings(RULE, "mongodb/collscan_execution_stats.json")
    assert not findings(RULE, "mongodb/docs_examined.json", min_ratio=5000)
