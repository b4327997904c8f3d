"""redis-blocked-clients: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-blocked-clients"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings({"facts": {"blocked_clients": 4}})
    assert found.evidence["blocked_clients"] == 4


def test_clean():
    assert not findings({"facts": {"blocked_clients": 4}}, min_blocked=10)
