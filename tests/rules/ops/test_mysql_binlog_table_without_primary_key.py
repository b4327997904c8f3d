"""mysql-binlog-table-without-primary-key: tables without a key when the binary log is on."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "mysql-binlog-table-without-primary-key"
findings = mysql_findings(RULE)
ROWS = {
    "tables_without_primary_key": [
        {"table_schema": "shop", "table_name": "audit log", "engine": "InnoDB", "table_rows": 1200},
        {"table_schema": "shop", "table_name": "tags", "engine": "InnoDB", "table_rows": 3},
    ]
}


def test_each_table_is_reported_with_an_invisible_key_on_mysql_8_0_23():
    found = findings({"settings": {"log_bin": "ON"}, "results": ROWS})
    assert [f.location.object for f in found] == ["shop.audit log", "shop.tags"]
    assert found[0].fix.sql == (
        "ALTER TABLE shop.`audit log` ADD COLUMN row_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT INVISIBLE PRIMARY KEY FIRST;"
    )


def test_mariadb_and_older_mysql_get_a_visible_key():
    (first, _) = findings(
        {"settings": {"log_bin": "ON"}, "results": ROWS}, version="10.11.6", flavor="mariadb"
    )
    assert "INVISIBLE" not in (first.fix.sql or "")
    (first, _) = findings({"settings": {"log_bin": "ON"}, "results": ROWS}, version="8.0.20")
    assert "INVISIBLE" not in (first.fix.sql or "")


def test_binlog_off_is_clean():
    assert not findings({"settings": {"log_bin": "OFF"}, "results": ROWS})
    assert not findings({"results": ROWS})
