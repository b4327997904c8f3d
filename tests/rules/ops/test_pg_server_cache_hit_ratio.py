"""server-cache-hit-ratio-low: heap and index hit ratios from pg_statio_user_tables."""

from __future__ import annotations

import json
from typing import Any

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    snapshot = snapshot_from_json(json.dumps({"engine": "postgres", "version": "15.4", **data}))
    catalog = Catalog(engine=Engine.POSTGRES, version=Version(15, 4))
    return run_health_rules(snapshot, catalog, [registry().get(RULE)], {RULE: options})


RULE = "server-cache-hit-ratio-low"


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
