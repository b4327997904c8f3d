"""redis-maxmemory-unset: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-maxmemory-unset"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings(
        {"settings": {"maxmemory": "0"}, "facts": {"used_memory": 1000, "total_system_memory": 1000000}}
    )
    assert "CONFIG SET maxmemory 700000" in (found.fix.sql or "")
    assert "maxmemory 700000" in (found.fix.sql or "").splitlines()[-1]


def test_clean():
    assert not findings({"settings": {"maxmemory": "500000"}, "facts": {"used_memory": 1000}})
