"""backup-mysql-gtid-off: GTIDs not enforced (MySQL gtid_mode / MariaDB gtid_strict_mode)."""

from __future__ import annotations

import json
from typing import Any

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json


def findings(
    data: dict[str, Any], version: str = "8.0.36", flavor: str | None = None, **options: Any
) -> list[Finding]:
    snapshot = snapshot_from_json(
        json.dumps({"engine": "mysql", "version": version, "flavor": flavor, **data})
    )
    catalog = Catalog(engine=Engine.MYSQL, version=Version.parse(version), flavor=flavor)
    return run_health_rules(snapshot, catalog, [registry().get(RULE)], {RULE: options})


RULE = "backup-mysql-gtid-off"


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
