"""backup-mysql-gtid-off: GTIDs not enforced (MySQL gtid_mode / MariaDB gtid_strict_mode)."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "backup-mysql-gtid-off"
findings = mysql_findings(RULE)


def test_mysql_gets_the_stepwise_online_procedure():
    (found,) = findings({"settings": {"log_bin": "ON", "gtid_mode": "OFF", "enforce_gtid_consistency": "ON"}})
    assert found.location.object == "gtid_mode"
    assert "OFF_PERMISSIVE" in (found.fix.sql or "")
    assert found.evidence["enforce_gtid_consistency"] == "ON"


def test_mariadb_is_judged_on_strict_mode_only():
    maria = {"log_bin": "ON", "gtid_strict_mode": "OFF"}
    (found,) = findings({"settings": maria}, version="10.11.6", flavor="mariadb")
    assert found.fix.sql.startswith("SET GLOBAL gtid_strict_mode = ON;")
    assert not findings(
        {"settings": {**maria, "gtid_strict_mode": "ON"}}, version="10.11.6", flavor="mariadb"
    )


def test_binlog_off_or_gtid_on_is_clean():
    assert not findings({"settings": {"log_bin": "OFF", "gtid_mode": "OFF"}})
    assert not findings({"settings": {"log_bin": "ON", "gtid_mode": "ON", "enforce_gtid_consistency": "ON"}})
