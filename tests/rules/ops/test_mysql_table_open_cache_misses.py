"""mysql-table-open-cache-misses: Open_tables / Opened_tables (MySQLTuner 20%)."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "mysql-table-open-cache-misses"
findings = mysql_findings(RULE)


def test_low_table_cache_hit_rate_is_reported():
    (found,) = findings(
        {
            "settings": {"table_open_cache": "400"},
            "facts": {"Open_tables": 400, "Opened_tables": 40000, "Table_open_cache_misses": 40000},
        }
    )
    assert found.evidence["hit_percent"] == 1.0
    assert found.evidence["Table_open_cache_misses"] == 40000
    assert "SET GLOBAL table_open_cache = 800;" in (found.fix.sql or "")


def test_good_rate_few_opens_or_unknown_is_clean():
    assert not findings({"facts": {"Open_tables": 166, "Opened_tables": 503}})  # fewer than min_opened_tables
    assert not findings({"facts": {"Open_tables": 1800, "Opened_tables": 2100}})
    assert not findings({"facts": {}})
