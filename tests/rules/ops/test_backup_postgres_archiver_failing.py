"""backup-postgres-archiver-failing: pg_stat_archiver failing now, or .ready segments piling up."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "backup-postgres-archiver-failing"
findings = postgres_findings(RULE)
SETTINGS = {"wal_level": "replica", "archive_mode": "on", "archive_command": "wal-g wal-push %p"}


def archiver(**row: Any) -> dict[str, Any]:
    base = {
        "archived_count": 10,
        "last_archived_time": "2024-05-01T10:00:00+00:00",
        "failed_count": 0,
        "last_failed_time": None,
        "last_failed_wal": None,
        "seconds_since_archived": 30,
        "ready_files": 0,
    }
    return {"settings": SETTINGS, "results": {"archiver": [{**base, **row}]}}


def test_failure_newer_than_last_success_is_reported():
    (found,) = findings(
        archiver(
            failed_count=3,
            last_failed_time="2024-05-01T10:05:00+00:00",
            last_failed_wal="0000000100000000000000A2",
        )
    )
    assert "failing" in found.message and "0000000100000000000000A2" in found.message
    assert found.evidence["failed_count"] == 3


def test_backlog_of_ready_segments_is_reported():
    (found,) = findings(archiver(ready_files=25))
    assert "25 WAL segments are waiting" in found.message
    assert not findings(archiver(ready_files=25), max_ready_files=50)


def test_old_failure_healthy_archiver_or_archiving_off_is_clean():
    assert not findings(archiver(failed_count=3, last_failed_time="2024-05-01T09:00:00+00:00"))
    assert not findings(archiver())
    off = archiver(failed_count=3, last_failed_time="2024-05-01T10:05:00+00:00")
    off["settings"] = {**SETTINGS, "archive_mode": "off"}
    assert not findings(off)  # backup-postgres-wal-archiving-off reports that
