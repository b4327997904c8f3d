"""redis-memory-fragmentation-high: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-memory-fragmentation-high"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings({"facts": {"mem_fragmentation_ratio": 1.8, "used_memory": 209715200}})
    assert "activedefrag yes" in (found.fix.sql or "")


def test_clean():
    assert not findings({"facts": {"mem_fragmentation_ratio": 8.0, "used_memory": 1048576}})
