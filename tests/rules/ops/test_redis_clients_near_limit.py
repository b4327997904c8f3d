"""redis-clients-near-limit: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-clients-near-limit"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings(
        {"settings": {"maxclients": "100"}, "facts": {"connected_clients": 5, "rejected_connections": 2}}
    )
    assert found.evidence["rejected_connections"] == 2


def test_clean():
    assert not findings(
        {"settings": {"maxclients": "100"}, "facts": {"connected_clients": 5, "rejected_connections": 0}}
    )
