"""table-needs-analyze: rows modified since the last ANALYZE past the analyze threshold."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "table-needs-analyze"
findings = postgres_findings(RULE)


SETTINGS = {"autovacuum_analyze_threshold": "50", "autovacuum_analyze_scale_factor": "0.1"}


def _data(modified: int, reltuples: float = 10_000, live: int = 10_000, **row: Any) -> dict[str, Any]:
    base = {
        "schema": "public",
        "table": "orders",
        "reltuples": reltuples,
        "live_tuples": live,
        "dead_tuples": 0,
        "modified_since_analyze": modified,
        "last_analyze": None,
        "last_autoanalyze": "2024-05-01T00:00:00+00:00",
        "reloptions": None,
    }
    return {"settings": SETTINGS, "results": {"vacuum": [{**base, **row}]}}


def test_past_threshold_is_reported_with_a_safe_analyze():
    [finding] = findings(_data(1051))  # 50 + 0.1 * 10000 = 1050
    assert finding.fix.sql == "ANALYZE orders;" and finding.fix.applicability.value == "safe"
    assert finding.evidence["autoanalyze_threshold"] == 1050
    assert not findings(_data(1050))


def test_never_analyzed_table_uses_live_count_when_reltuples_is_unknown():
    [finding] = findings(_data(5000, reltuples=-1, live=5000, last_autoanalyze=None))
    assert "never analyzed" in finding.message and finding.evidence["autoanalyze_threshold"] == 550


def test_per_table_threshold_and_minimum():
    assert not findings(_data(1500, reloptions=["autovacuum_analyze_threshold=5000"]))
    assert not findings(_data(900, reltuples=0))
