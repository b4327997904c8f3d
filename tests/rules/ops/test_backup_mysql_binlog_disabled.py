"""backup-mysql-binlog-disabled: no binary log, no point-in-time recovery."""

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


RULE = "backup-mysql-binlog-disabled"


def test_binlog_off_is_reported_with_the_config_to_enable_it():
    (found,) = findings(
        {"settings": {"log_bin": "OFF", "server_id": "7"}}, version="10.11.6", flavor="mariadb"
    )
    assert "point-in-time" in found.message
    assert "server_id = 7" in (found.fix.sql or "") and "binlog_format = ROW" in (found.fix.sql or "")


def test_binlog_on_or_unread_is_clean():
    assert not findings({"settings": {"log_bin": "ON"}})
    assert not findings({"settings": {}})
