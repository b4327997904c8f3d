"""redis-maxmemory-policy-mismatch: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-maxmemory-policy-mismatch"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings({"settings": {"maxmemory-policy": "noeviction", "appendonly": "no"}})
    assert found.evidence["assumed_usage"] == "cache"
    (store,) = findings({"settings": {"maxmemory-policy": "allkeys-lru"}}, usage="store")
    assert "noeviction" in (store.fix.sql or "")


def test_clean():
    assert not findings({"settings": {"maxmemory-policy": "noeviction", "appendonly": "yes"}}, usage="auto")
