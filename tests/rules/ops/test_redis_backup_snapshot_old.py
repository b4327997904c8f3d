"""backup-redis-snapshot-old: one failing and one passing snapshot."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from tests.rules.ops.redis_helpers import redis_findings

RULE = "backup-redis-snapshot-old"


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    return redis_findings(RULE, data, **options)


def test_fires():
    (found,) = findings(
        {
            "settings": {"appendonly": "no", "save": "3600 1"},
            "facts": {
                "server_time_usec": 7200000000,
                "rdb_last_save_time": 0,
                "rdb_changes_since_last_save": 5,
            },
        }
    )
    assert found.evidence["seconds_since_last_save"] == 7200


def test_clean():
    assert not findings(
        {
            "settings": {"appendonly": "no", "save": "3600 1"},
            "facts": {
                "server_time_usec": 7200000000,
                "rdb_last_save_time": 0,
                "rdb_changes_since_last_save": 0,
            },
        }
    )
