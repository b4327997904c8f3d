"""mysql-slow-query-log-off: the slow log off, or on with a long_query_time above the limit."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "mysql-slow-query-log-off"
findings = mysql_findings(RULE)


def test_log_off_is_reported_with_a_safe_fix():
    (found,) = findings({"settings": {"slow_query_log": "OFF", "long_query_time": "10.000000"}})
    assert "off" in found.message
    assert found.fix.applicability.value == "safe"
    assert "SET GLOBAL slow_query_log = ON;" in (found.fix.sql or "")


def test_log_on_with_a_high_threshold_is_reported():
    (found,) = findings({"settings": {"slow_query_log": "ON", "long_query_time": "10.000000"}})
    assert "slower than 10 s" in found.message


def test_log_on_with_a_low_threshold_or_unknown_is_clean():
    assert not findings({"settings": {"slow_query_log": "ON", "long_query_time": "0.500000"}})
    assert not findings({"settings": {"slow_query_log": "ON", "long_query_time": "5"}}, max_long_query_time=5)
    assert not findings({"settings": {}})
