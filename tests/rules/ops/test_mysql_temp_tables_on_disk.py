"""mysql-temp-tables-on-disk: Created_tmp_disk_tables against Created_tmp_tables (MySQLTuner 25%)."""

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


RULE = "mysql-temp-tables-on-disk"


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
