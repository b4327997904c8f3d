from __future__ import annotations

from tests.rules.plan.helpers import findings

RULE = "lossy-bitmap-heap-scan"


def test_lossy_bitmap_reports_pages_and_rechecked_rows():
    for fixture in ("pg_bitmap_lossy.txt", "pg_bitmap_lossy.json"):
        [finding] = findings(RULE, fixture)
        assert finding.evidence["lossy_blocks"] == 1556 and finding.evidence["exact_blocks"] == 992
        assert finding.evidence["rows_removed_by_index_recheck"] == 219589
        assert finding.fix is not None and finding.fix.sql == "SET LOCAL work_mem = '4MB';"


def test_exact_bitmaps_and_thresholds_are_clean():
    for fixture in ("pg_bitmap_exact.txt", "pg_bitmap_exact.json", "pg_cache_miss.txt"):
        assert not findings(RULE, fixture)
    assert not findings(RULE, "pg_bitmap_lossy.txt", min_lossy_blocks=2000)
    assert not findings(RULE, "pg_bitmap_lossy.txt", min_lossy_fraction=0.7)
