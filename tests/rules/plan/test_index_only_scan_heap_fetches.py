from __future__ import annotations

from tests.rules.plan.helpers import findings

RULE = "index-only-scan-heap-fetches"


def test_unvacuumed_table_is_reported_with_vacuum():
    for fixture in ("pg_index_only_fetches.txt", "pg_index_only_fetches.json"):
        [finding] = findings(RULE, fixture)
        assert finding.evidence["heap_fetches"] == 120000 and finding.evidence["rows"] == 120000
        assert finding.fix is not None and finding.fix.sql is not None
        assert finding.fix.sql.startswith("VACUUM (ANALYZE) events;")


def test_vacuumed_table_and_thresholds_are_clean():
    for fixture in ("pg_index_only_vacuumed.txt", "pg_index_only_vacuumed.json", "seq_indexed.txt"):
        assert not findings(RULE, fixture)
    assert not findings(RULE, "pg_index_only_fetches.txt", min_heap_fetches=200000)
