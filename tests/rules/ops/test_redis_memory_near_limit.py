"""redis-memory-near-limit: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-memory-near-limit"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings({"settings": {"maxmemory": "1000"}, "facts": {"used_memory": 950}})
    assert found.evidence["used_percent"] == 95.0


def test_clean():
    assert not findings({"settings": {"maxmemory": "0"}, "facts": {"used_memory": 950}})
