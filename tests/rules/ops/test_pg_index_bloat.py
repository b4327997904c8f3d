"""index-bloat: the statistics-based B-tree bloat estimate."""

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


RULE = "index-bloat"


def _data(bloat: int, pct: float, schema: str = "public") -> dict[str, Any]:
    return {
        "results": {
            "index_bloat": [
                {
                    "schema": schema,
                    "table": "jobs",
                    "index": "jobs_state_idx",
                    "real_bytes": 2 * bloat,
                    "bloat_bytes": bloat,
                    "bloat_pct": pct,
                    "fillfactor": 90,
                    "is_na": False,
                }
            ]
        }
    }


def test_bloated_index_is_rebuilt_concurrently():
    [finding] = findings(_data(300 * 1024**2, 75.0))
    assert finding.fix.sql == "REINDEX INDEX CONCURRENTLY jobs_state_idx;"
    [other] = findings(_data(300 * 1024**2, 75.0, schema="queue"))
    assert other.fix.sql == "REINDEX INDEX CONCURRENTLY queue.jobs_state_idx;"


def test_small_or_mostly_live_indexes_are_clean():
    assert not findings(_data(10 * 1024**2, 90.0))
    assert not findings(_data(300 * 1024**2, 20.0))
