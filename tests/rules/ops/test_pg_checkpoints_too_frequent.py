"""checkpoints-too-frequent: requested vs timed checkpoints."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "checkpoints-too-frequent"
findings = postgres_findings(RULE)


def _data(timed: int, requested: int, version: str = "15.4") -> dict[str, Any]:
    return {
        "version": version,
        "settings": {"max_wal_size": "1GB", "checkpoint_timeout": "5min"},
        "results": {"checkpoints": [{"timed": timed, "requested": requested, "stats_reset": None}]},
    }


def test_mostly_requested_doubles_max_wal_size():
    [finding] = findings(_data(3, 272))
    assert "max_wal_size = '2GB'" in (finding.fix.sql or "")
    assert finding.evidence["source"].startswith("pg_stat_bgwriter")
    [on_17] = findings(_data(3, 272, version="17.2"))
    assert on_17.evidence["source"] == "pg_stat_checkpointer"


def test_timed_majority_or_too_few_checkpoints_are_clean():
    assert not findings(_data(100, 40))
    assert not findings(_data(1, 8))
