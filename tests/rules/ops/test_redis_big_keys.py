"""redis-big-keys: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-big-keys"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings(
        {
            "facts": {"sampled_keys": 3},
            "results": {
                "keyspace": [{"db": 0, "keys": 3, "expires": 0}],
                "big_keys": [{"db": 0, "key": "big", "type": "string", "bytes": 6291456}],
            },
        }
    )
    assert found.location.object == "db0:big" and "sampled" in found.evidence["measured"]


def test_clean():
    assert not findings(
        {
            "facts": {"sampled_keys": 3},
            "results": {
                "keyspace": [{"db": 0, "keys": 3, "expires": 0}],
                "big_keys": [{"db": 0, "key": "small", "type": "string", "bytes": 100}],
            },
        }
    )
