"""redis-slow-commands: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "redis-slow-commands"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings(
        {
            "results": {
                "slowlog": [
                    {"id": 1, "start_time": 1, "duration_us": 20000, "command": "KEYS"},
                    {"id": 2, "start_time": 2, "duration_us": 15000, "command": "KEYS"},
                ]
            }
        }
    )
    assert found.evidence["entries"] == 2 and "SCAN" in found.fix.description


def test_clean():
    assert not findings(
        {"results": {"slowlog": [{"id": 1, "start_time": 1, "duration_us": 900, "command": "GET"}]}}
    )
