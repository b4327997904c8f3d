"""MongoDB plans are hand-written from the manual's explain-results pages (no server exists here)."""

from __future__ import annotations

from tests.rules.plan.helpers import findings, findings_in
from tests.sources.plans.fixtures import fixture_text

RULE = "mongodb-index-esr-order"


def test_range_field_first_is_reordered():
    [finding] = findings(RULE, "mongodb/esr_range_first.json")
    assert finding.fix is not None
    assert finding.fix.sql == "db.orders.createIndex({ status: 1, created_at: 1, total: 1 })"
    assert finding.evidence["key_pattern"] == {"total": 1, "status": 1, "created_at": 1}
    assert finding.location.line == 15


def test_sort_direction_and_extra_index_fields_are_kept():
    text = (
        fixture_text("mongodb/esr_range_first.json")
        .replace('"sort": { "created_at": 1 }', '"sort": { "created_at": -1 }')
        .replace('"created_at": 1 },\n        "indexName"', '"created_at": 1, "note": 1 },\n        "indexName"')
    )
    [finding] = findings_in(RULE, text)
    assert finding.fix is not None
    assert finding.fix.sql == "db.orders.createIndex({ status: 1, created_at: -1, total: 1, note: 1 })"


def test_esr_ordered_and_single_field_indexes_are_clean():
    assert not findings(RULE, "mongodb/esr_good.json")
    assert not findings(RULE, "mongodb/ixscan_execution_stats.json")
    assert not findings(RULE, "mongodb/docs_examined.json")
