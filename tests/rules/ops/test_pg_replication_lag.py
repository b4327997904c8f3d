"""replication-lag: replay lag on a primary's replicas and on a standby."""

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


RULE = "replication-lag"


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
