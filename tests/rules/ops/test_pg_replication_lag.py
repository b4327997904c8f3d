"""replication-lag: replay lag on a primary's replicas and on a standby."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "replication-lag"
findings = postgres_findings(RULE)


def _replica(lag_bytes: int, lag_seconds: float | None) -> dict[str, Any]:
    return {
        "application_name": "replica1",
        "client_addr": "10.0.0.2",
        "state": "streaming",
        "sync_state": "async",
        "replay_lag_bytes": lag_bytes,
        "replay_lag_seconds": lag_seconds,
    }


def test_bytes_or_seconds_behind_is_reported():
    [by_bytes] = findings({"results": {"replication": [_replica(200 * 1024**2, 1.0)]}})
    assert by_bytes.location.object == "replica replica1"
    [by_time] = findings({"results": {"replication": [_replica(10, 61.0)]}})
    assert by_time.evidence["replay_lag_seconds"] == 61.0
    assert not findings({"results": {"replication": [_replica(10, None)]}})


def test_standby_lag_counts_only_while_wal_waits_to_be_replayed():
    [finding] = findings({"results": {"standby": [{"replay_lag_seconds": 600.0, "caught_up": False}]}})
    assert "max_standby_streaming_delay" in (finding.fix.sql or "")
    assert not findings({"results": {"standby": [{"replay_lag_seconds": 600.0, "caught_up": True}]}})
    assert not findings({"results": {"standby": [{"replay_lag_seconds": None, "caught_up": None}]}})
