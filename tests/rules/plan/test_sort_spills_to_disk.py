from __future__ import annotations

from tests.rules.plan.helpers import findings

RULE = "sort-spills-to-disk"


def test_external_merge_sort_is_reported_with_work_mem_and_index_fix():
    for fixture in ("sort_disk.txt", "sort_disk.json"):
        [finding] = findings(RULE, fixture)
        assert finding.evidence["disk_kb"] == 4840 and finding.evidence["sort_key"] == ["total DESC"]
        assert finding.fix is not None and finding.fix.sql is not None
        assert "SET LOCAL work_mem = '32MB'" in finding.fix.sql
        assert "CREATE INDEX CONCURRENTLY ON orders (total DESC);" in finding.fix.sql
    [with_settings] = findings(RULE, "sort_disk_settings.txt")
    assert with_settings.evidence["work_mem"] == "64kB"


def test_in_memory_sorts_are_clean():
    assert not findings(RULE, "sort_mem.txt")
    assert not findings(RULE, "estimate_good.txt")
    assert not findings(RULE, "noanalyze.txt")
