from __future__ import annotations

from dbexpert.rules.plan._plan import exclusive_buffers
from tests.rules.plan.helpers import findings
from tests.sources.plans.fixtures import load

RULE = "low-cache-hit-ratio"


def test_node_reading_from_outside_shared_buffers_is_reported():
    [finding] = findings(RULE, "pg_cache_miss.json")
    # The index scan below read 78 of the 9,169 pages: only the heap scan's own reads count.
    assert finding.evidence["shared_read_blocks"] == 9091 and finding.evidence["hit_ratio"] == 0
    assert finding.location.line == 36 and "readings" in finding.message
    assert finding.fix is not None and "pg_prewarm('readings')" in (finding.fix.sql or "")
    [text] = findings(RULE, "pg_cache_miss.txt")
    assert text.evidence["shared_read_blocks"] == 8259


def test_exclusive_buffers_subtract_the_children():
    plan = load("pg_cache_miss.json")
    aggregate, heap, index = list(plan.nodes())
    assert exclusive_buffers(aggregate) == (0, 0)
    assert exclusive_buffers(heap) == (0, 9091) and exclusive_buffers(index) == (0, 78)


def test_cached_and_small_reads_are_clean():
    for fixture in ("pg_large_offset.txt", "pg_bitmap_exact.txt", "pg_index_only_fetches.txt"):
        assert not findings(RULE, fixture)
    assert not findings(RULE, "pg_cache_miss.json", min_read_blocks=10000)
