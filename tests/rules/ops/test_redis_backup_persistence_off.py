"""backup-redis-persistence-off: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "backup-redis-persistence-off"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings({"settings": {"save": "", "appendonly": "no"}})
    assert "CONFIG SET appendonly yes" in (found.fix.sql or "")


def test_clean():
    assert not findings({"settings": {"save": "", "appendonly": "yes"}})
