"""mysql-aborted-connects-high: Aborted_connects against Connections (MySQLTuner 3%)."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "mysql-aborted-connects-high"
findings = mysql_findings(RULE)


def test_many_failed_connects_are_reported_with_the_logging_fix_per_flavor():
    data = {"facts": {"Aborted_connects": 500, "Connections": 5000}}
    (mysql,) = findings(data)
    assert mysql.evidence["aborted_percent"] == 10.0
    assert "log_error_verbosity" in (mysql.fix.sql or "")
    (maria,) = findings(data, version="10.11.6", flavor="mariadb")
    assert "log_warnings" in (maria.fix.sql or "")


def test_few_failures_or_few_attempts_are_clean():
    assert not findings({"facts": {"Aborted_connects": 30, "Connections": 635}})  # under min_connections
    assert not findings({"facts": {"Aborted_connects": 20, "Connections": 5000}})
    assert findings({"facts": {"Aborted_connects": 30, "Connections": 635}}, min_connections=100)
