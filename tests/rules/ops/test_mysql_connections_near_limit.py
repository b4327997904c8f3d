"""mysql-connections-near-limit: Max_used_connections against max_connections (MySQLTuner 85%)."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "mysql-connections-near-limit"
findings = mysql_findings(RULE)


def test_peak_at_85_percent_or_more_is_reported():
    (found,) = findings({"settings": {"max_connections": "100"}, "facts": {"Max_used_connections": 90}})
    assert found.evidence["used_percent"] == 90.0
    assert "SET GLOBAL max_connections = 150;" in (found.fix.sql or "")
    assert found.location.object == "max_connections"


def test_below_threshold_or_unknown_is_clean():
    assert not findings({"settings": {"max_connections": "151"}, "facts": {"Max_used_connections": 6}})
    assert not findings(
        {"settings": {"max_connections": "100"}, "facts": {"Max_used_connections": 90}}, max_used_percent=95
    )
    assert not findings({"facts": {"Max_used_connections": 90}})
