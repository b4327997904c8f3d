"""mysql-temp-tables-on-disk: Created_tmp_disk_tables against Created_tmp_tables (MySQLTuner 25%)."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "mysql-temp-tables-on-disk"
findings = mysql_findings(RULE)


def test_many_disk_temp_tables_are_reported():
    (found,) = findings(
        {
            "settings": {"tmp_table_size": "16777216", "max_heap_table_size": "33554432"},
            "facts": {"Created_tmp_disk_tables": 3000, "Created_tmp_tables": 6000},
        }
    )
    assert found.evidence["disk_percent"] == 50.0
    assert "SET GLOBAL tmp_table_size = 67108864;" in (
        found.fix.sql or ""
    )  # 4 x the smaller limit, 64 MiB floor


def test_low_ratio_or_few_tables_is_clean():
    assert not findings({"facts": {"Created_tmp_disk_tables": 4705, "Created_tmp_tables": 26086}})  # 18%
    assert not findings({"facts": {"Created_tmp_disk_tables": 90, "Created_tmp_tables": 100}})
    assert findings(
        {"facts": {"Created_tmp_disk_tables": 4705, "Created_tmp_tables": 26086}}, max_disk_percent=15
    )
