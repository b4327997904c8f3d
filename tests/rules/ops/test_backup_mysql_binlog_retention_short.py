"""backup-mysql-binlog-retention-short: binary logs purged before the next full backup."""

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


RULE = "backup-mysql-binlog-retention-short"


def test_short_retention_in_seconds_or_days_is_reported():
    (found,) = findings({"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "172800"}})
    assert found.evidence == {
        "retention_days": 2.0,
        "variable": "binlog_expire_logs_seconds",
        "measured": "SHOW GLOBAL VARIABLES",
    }
    assert "= 604800;" in (found.fix.sql or "")
    (found,) = findings(
        {"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "0", "expire_logs_days": "3.000000"}},
        version="10.5.20",
        flavor="mariadb",
    )
    assert found.location.object == "expire_logs_days"


def test_long_enough_never_purged_or_binlog_off_is_clean():
    assert not findings({"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "2592000"}})
    assert not findings(
        {"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "0", "expire_logs_days": "0.000000"}}
    )
    assert not findings({"settings": {"log_bin": "OFF", "binlog_expire_logs_seconds": "3600"}})
    assert findings(
        {"settings": {"log_bin": "ON", "binlog_expire_logs_seconds": "2592000"}}, min_retention_days=31
    )
