"""mysql-buffer-pool-hit-rate-low: Innodb_buffer_pool_reads against read requests (MySQLTuner 90%)."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "mysql-buffer-pool-hit-rate-low"
findings = mysql_findings(RULE)


def test_low_read_efficiency_is_reported_with_counters():
    (found,) = findings(
        {
            "settings": {"innodb_buffer_pool_size": "134217728"},
            "facts": {
                "Innodb_buffer_pool_read_requests": 1_000_000,
                "Innodb_buffer_pool_reads": 200_000,
                "Uptime": 600,
            },
        }
    )
    assert found.evidence["hit_percent"] == 80.0
    assert "SHOW GLOBAL STATUS" in found.evidence["measured"] and "600 s" in found.evidence["measured"]
    assert "268435456" in (found.fix.sql or "")


def test_threshold_is_an_option_and_a_cold_server_is_not_judged():
    data = {"facts": {"Innodb_buffer_pool_read_requests": 1_000_000, "Innodb_buffer_pool_reads": 200_000}}
    assert not findings(data, min_hit_percent=75)
    cold = {"facts": {"Innodb_buffer_pool_read_requests": 5_000, "Innodb_buffer_pool_reads": 4_000}}
    assert not findings(cold)
    assert not findings({"facts": {}})


def test_good_rate_is_clean():
    assert not findings(
        {"facts": {"Innodb_buffer_pool_read_requests": 3_185_878, "Innodb_buffer_pool_reads": 170}}
    )
