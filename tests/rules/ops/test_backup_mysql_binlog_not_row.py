"""backup-mysql-binlog-not-row: STATEMENT or MIXED binary logs."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "backup-mysql-binlog-not-row"
findings = mysql_findings(RULE)


def test_mixed_and_statement_are_reported():
    for form in ("MIXED", "STATEMENT"):
        (found,) = findings({"settings": {"log_bin": "ON", "binlog_format": form}})
        assert form in found.message
        assert found.fix.sql.startswith("SET GLOBAL binlog_format = 'ROW';")


def test_row_or_binlog_off_is_clean():
    assert not findings({"settings": {"log_bin": "ON", "binlog_format": "ROW"}})
    assert not findings({"settings": {"log_bin": "OFF", "binlog_format": "MIXED"}})
