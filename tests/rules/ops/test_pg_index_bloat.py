"""index-bloat: the statistics-based B-tree bloat estimate."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "index-bloat"
findings = postgres_findings(RULE)


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
