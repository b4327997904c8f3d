"""redis-replica-out-of-sync: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-replica-out-of-sync"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings(
        {
            "facts": {"role": "master"},
            "results": {
                "replicas": [{"name": "slave0", "ip": "10.0.0.2", "port": 6379, "state": "online", "lag": 40}]
            },
        }
    )
    assert found.location.object == "slave0"


def test_clean():
    assert not findings(
        {
            "facts": {"role": "master"},
            "results": {
                "replicas": [{"name": "slave0", "ip": "10.0.0.2", "port": 6379, "state": "online", "lag": 0}]
            },
        }
    )


def test_replica_with_link_down_fires_and_up_is_clean():
    (found,) = findings({"facts": {"role": "slave", "master_link_status": "down"}})
    assert "is down" in found.message
    assert not findings(
        {"facts": {"role": "slave", "master_link_status": "up", "master_last_io_seconds_ago": 1}}
    )
