"""backup-mysql-binlog-disabled: no binary log, no point-in-time recovery."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "backup-mysql-binlog-disabled"
findings = mysql_findings(RULE)


def test_binlog_off_is_reported_with_the_config_to_enable_it():
    (found,) = findings(
        {"settings": {"log_bin": "OFF", "server_id": "7"}}, version="10.11.6", flavor="mariadb"
    )
    assert "point-in-time" in found.message
    assert "server_id = 7" in (found.fix.sql or "") and "binlog_format = ROW" in (found.fix.sql or "")


def test_binlog_on_or_unread_is_clean():
    assert not findings({"settings": {"log_bin": "ON"}})
    assert not findings({"settings": {}})
