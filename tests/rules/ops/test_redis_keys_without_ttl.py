"""redis-keys-without-ttl: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-keys-without-ttl"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings(
        {
            "settings": {"maxmemory-policy": "volatile-ttl"},
            "results": {"keyspace": [{"db": 2, "keys": 1000, "expires": 10}]},
        }
    )
    assert found.location.object == "db2"


def test_clean():
    assert not findings(
        {
            "settings": {"maxmemory-policy": "allkeys-lru"},
            "results": {"keyspace": [{"db": 2, "keys": 1000, "expires": 10}]},
        }
    )
