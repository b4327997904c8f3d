"""backup-mysql-binlog-not-row: STATEMENT or MIXED binary logs."""

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


RULE = "backup-mysql-binlog-not-row"


def test_mixed_and_statement_are_reported():
    for form in ("MIXED", "STATEMENT"):
        (found,) = findings({"settings": {"log_bin": "ON", "binlog_format": form}})
        assert form in found.message
        assert found.fix.sql.startswith("SET GLOBAL binlog_format = 'ROW';")


def test_row_or_binlog_off_is_clean():
    assert not findings({"settings": {"log_bin": "ON", "binlog_format": "ROW"}})
    assert not findings({"settings": {"log_bin": "OFF", "binlog_format": "MIXED"}})
