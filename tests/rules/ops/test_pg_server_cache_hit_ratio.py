"""server-cache-hit-ratio-low: heap and index hit ratios from pg_statio_user_tables."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "server-cache-hit-ratio-low"
findings = postgres_findings(RULE)


def _data(heap: tuple[int, int], index: tuple[int, int], **facts: Any) -> dict[str, Any]:
    return {
        "settings": {"shared_buffers": "128MB"},
        "facts": facts,
        "results": {
            "cache_hit": [
                {"heap_hit": heap[0], "heap_read": heap[1], "index_hit": index[0], "index_read": index[1]}
            ]
        },
    }


def test_heap_and_index_are_judged_separately():
    [finding] = findings(_data((90_000, 10_000 + 1), (999_000, 100)))
    assert finding.location.object == "table cache" and finding.evidence["ratio"] == 0.9
    assert "pg_stat_statements" in (finding.fix.sql or "")  # memory unknown: find the queries first


def test_known_memory_suggests_a_quarter_of_it():
    [finding] = findings(_data((999_000, 1000), (90_000, 20_000), machine_memory_bytes=16 * 1024**3))
    assert finding.location.object == "index cache"
    assert "shared_buffers = '4GB'" in (finding.fix.sql or "")


def test_too_few_blocks_to_judge_is_clean():
    assert not findings(_data((500, 500), (500, 500)))
    assert findings(_data((500, 500), (500, 500)), min_blocks=1000)
