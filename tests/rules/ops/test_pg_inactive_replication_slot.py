"""inactive-replication-slot: unused slots and the WAL they keep."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "inactive-replication-slot"
findings = postgres_findings(RULE)


def _data(active: bool, retained: int | None, cap: str = "-1") -> dict[str, Any]:
    return {
        "settings": {"max_slot_wal_keep_size": cap},
        "results": {
            "replication_slots": [
                {
                    "slot_name": "cdc's",
                    "slot_type": "logical",
                    "active": active,
                    "retained_bytes": retained,
                    "wal_status": "extended",
                }
            ]
        },
    }


def test_inactive_slot_is_dropped_by_quoted_name_and_capped():
    [finding] = findings(_data(False, 1024))
    assert "SELECT pg_drop_replication_slot('cdc''s');" in (finding.fix.sql or "")
    assert "max_slot_wal_keep_size" in (finding.fix.sql or "")
    assert finding.severity.value == "warning"


def test_much_wal_is_an_error_and_existing_cap_is_not_repeated():
    [finding] = findings(_data(False, 20 * 1024**3, cap="50GB"))
    assert finding.severity.value == "error" and "max_slot_wal_keep_size" not in (finding.fix.sql or "")


def test_active_slots_and_options():
    assert not findings(_data(True, 20 * 1024**3))
    assert not findings(_data(False, 1024), min_retained_bytes=4096)
    [unknown] = findings(_data(False, None))  # on a standby the retained WAL is not computed
    assert "unknown amount" in unknown.message
