"""backup-mysql-commit-not-durable: sync_binlog and innodb_flush_log_at_trx_commit other than 1."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "backup-mysql-commit-not-durable"
findings = mysql_findings(RULE)


def test_both_loose_settings_are_named():
    (found,) = findings(
        {"settings": {"log_bin": "ON", "sync_binlog": "0", "innodb_flush_log_at_trx_commit": "2"}}
    )
    assert found.location.object == "innodb_flush_log_at_trx_commit"
    assert "SET GLOBAL innodb_flush_log_at_trx_commit = 1;\nSET GLOBAL sync_binlog = 1;" in (
        found.fix.sql or ""
    )


def test_sync_binlog_only_matters_with_a_binary_log():
    assert not findings(
        {"settings": {"log_bin": "OFF", "sync_binlog": "0", "innodb_flush_log_at_trx_commit": "1"}}
    )
    (found,) = findings(
        {"settings": {"log_bin": "ON", "sync_binlog": "100", "innodb_flush_log_at_trx_commit": "1"}}
    )
    assert found.location.object == "sync_binlog"


def test_one_and_one_is_clean():
    assert not findings(
        {"settings": {"log_bin": "ON", "sync_binlog": "1", "innodb_flush_log_at_trx_commit": "1"}}
    )
