"""backup-redis-persistence-failing: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "backup-redis-persistence-failing"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings({"facts": {"rdb_last_bgsave_status": "ok", "aof_last_write_status": "err"}})
    assert "append-only file could not be written" in found.message


def test_clean():
    assert not findings({"facts": {"rdb_last_bgsave_status": "ok", "aof_last_write_status": "ok"}})
