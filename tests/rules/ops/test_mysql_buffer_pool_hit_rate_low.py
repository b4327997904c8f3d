"""mysql-buffer-pool-hit-rate-low: Innodb_buffer_pool_reads against read requests (MySQLTuner 90%)."""

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


RULE = "mysql-buffer-pool-hit-rate-low"


def test_low_read_efficiency_is_reported_with_counters():
    (found,) = findings(
        {
            "settings": {"innodb_buffer_pool_size": "134217728"},
            "facts": {
                "Innodb_buffer_pool_read_requests": 1_000_000,
                "Innodb_buffer_pool_reads": 200_000,
                "Uptime": 600,
            },
        }
    )
    assert found.evidence["hit_percent"] == 80.0
    assert "SHOW GLOBAL STATUS" in found.evidence["measured"] and "600 s" in found.evidence["measured"]
    assert "268435456" in (found.fix.sql or "")


def test_threshold_is_an_option_and_a_cold_server_is_not_judged():
    data = {"facts": {"Innodb_buffer_pool_read_requests": 1_000_000, "Innodb_buffer_pool_reads": 200_000}}
    assert not findings(data, min_hit_percent=75)
    cold = {"facts": {"Innodb_buffer_pool_read_requests": 5_000, "Innodb_buffer_pool_reads": 4_000}}
    assert not findings(cold)
    assert not findings({"facts": {}})


def test_good_rate_is_clean():
    assert not findings(
        {"facts": {"Innodb_buffer_pool_read_requests": 3_185_878, "Innodb_buffer_pool_reads": 170}}
    )
