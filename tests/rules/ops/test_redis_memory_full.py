"""redis-memory-full: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-memory-full"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings({"settings": {"maxmemory": "100"}, "facts": {"evicted_keys": 0, "oom_rejections": 3}})
    assert "3 writes rejected" in found.message


def test_clean():
    assert not findings({"settings": {"maxmemory": "100"}, "facts": {"evicted_keys": 0, "oom_rejections": 0}})
