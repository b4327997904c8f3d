"""backup-mysql-binlog-retention-short: binary logs purged before the next full backup."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "backup-mysql-binlog-retention-short"
findings = mysql_findings(RULE)


def test_short_retention_in_seconds_or_days_is_reported():
    (found,) = findings({"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "172800"}})
    assert found.evidence == {
        "retention_days": 2.0,
        "variable": "binlog_expire_logs_seconds",
        "measured": "SHOW GLOBAL VARIABLES",
    }
    assert "= 604800;" in (found.fix.sql or "")
    (found,) = findings(
        {"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "0", "expire_logs_days": "3.000000"}},
        version="10.5.20",
        flavor="mariadb",
    )
    assert found.location.object == "expire_logs_days"


def test_long_enough_never_purged_or_binlog_off_is_clean():
    assert not findings({"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "2592000"}})
    assert not findings(
        {"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "0", "expire_logs_days": "0.000000"}}
    )
    assert not findings({"settings": {"log_bin": "OFF", "binlog_expire_logs_seconds": "3600"}})
    assert findings(
        {"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "2592000"}}, min_retention_days=31
    )
