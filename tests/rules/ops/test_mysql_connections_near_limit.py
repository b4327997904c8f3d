"""mysql-connections-near-limit: Max_used_connections against max_connections (MySQLTuner 85%)."""

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


RULE = "mysql-connections-near-limit"


def test_peak_at_85_percent_or_more_is_reported():
    (found,) = findings({"settings": {"max_connections": "100"}, "facts": {"Max_used_connections": 90}})
    assert found.evidence["used_percent"] == 90.0
    assert "SET GLOBAL max_connections = 150;" in (found.fix.sql or "")
    assert found.location.object == "max_connections"


def test_below_threshold_or_unknown_is_clean():
    assert not findings({"settings": {"max_connections": "151"}, "facts": {"Max_used_connections": 6}})
    assert not findings(
        {"settings": {"max_connections": "100"}, "facts": {"Max_used_connections": 90}}, max_used_percent=95
    )
    assert not findings({"facts": {"Max_used_connections": 90}})
