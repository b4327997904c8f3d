"""backup-postgres-archive-timeout-unset: archiving on, but no bound on how long WAL waits."""

from __future__ import annotations

from tests.rules.ops.helpers import postgres_findings

RULE = "backup-postgres-archive-timeout-unset"
findings = postgres_findings(RULE)
SETTINGS = {"wal_level": "replica", "archive_mode": "on", "archive_command": "wal-g wal-push %p"}


def test_zero_and_too_long_timeouts_are_reported():
    (found,) = findings({"settings": {**SETTINGS, "archive_timeout": "0"}})
    assert "never forced" in found.message
    assert found.fix.sql == "ALTER SYSTEM SET archive_timeout = '300s';\nSELECT pg_reload_conf();"
    (found,) = findings({"settings": {**SETTINGS, "archive_timeout": "1h"}})
    assert "1h" in found.message


def test_short_timeout_or_no_archiving_is_clean():
    assert not findings({"settings": {**SETTINGS, "archive_timeout": "1min"}})
    assert not findings({"settings": {**SETTINGS, "archive_timeout": "60"}})
    assert not findings({"settings": {**SETTINGS, "archive_mode": "off", "archive_timeout": "0"}})
    assert findings({"settings": {**SETTINGS, "archive_timeout": "1min"}}, max_archive_timeout=30)
