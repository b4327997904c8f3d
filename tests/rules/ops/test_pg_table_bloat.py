"""table-bloat: the statistics-based table bloat estimate."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "table-bloat"
findings = postgres_findings(RULE)


def _data(bloat: int, pct: float, is_na: bool = False) -> dict[str, Any]:
    return {
        "results": {
            "table_bloat": [
                {
                    "schema": "public",
                    "table": "events",
                    "real_bytes": 2 * bloat,
                    "bloat_bytes": bloat,
                    "bloat_pct": pct,
                    "fillfactor": 100,
                    "is_na": is_na,
                }
            ]
        }
    }


def test_large_and_mostly_bloated_is_reported_as_an_estimate():
    [finding] = findings(_data(200 * 1024**2, 60.0))
    assert "estimated 60% bloat" in finding.message
    assert "pgstattuple('events')" in (finding.fix.sql or "") and "VACUUM (FULL" in (finding.fix.sql or "")
    assert "estimate" in finding.evidence["source"]


def test_small_low_or_unjudgeable_bloat_is_clean():
    assert not findings(_data(50 * 1024**2, 90.0))
    assert not findings(_data(200 * 1024**2, 40.0))
    assert not findings(_data(200 * 1024**2, 90.0, is_na=True))
    assert findings(_data(1024**2, 30.0), min_bloat_bytes=1, min_ratio=0.2)
