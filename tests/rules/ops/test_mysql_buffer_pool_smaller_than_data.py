"""mysql-buffer-pool-smaller-than-data: the pool against InnoDB data + indexes (and machine memory)."""

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


RULE = "mysql-buffer-pool-smaller-than-data"
MIB = 1024**2
DATA = {"innodb_data_bytes": 2048 * MIB, "innodb_index_bytes": 512 * MIB}


def test_pool_smaller_than_data_asks_for_data_plus_a_tenth_in_chunks():
    (found,) = findings({"settings": {"innodb_buffer_pool_size": str(128 * MIB)}, "facts": DATA})
    assert "smaller than the InnoDB data" in found.message
    assert found.fix is not None and found.fix.sql is not None
    assert found.fix.sql.startswith(
        f"SET GLOBAL innodb_buffer_pool_size = {2816 * MIB};"
    )  # 2.5 GiB * 1.1 -> 22 chunks
    assert found.evidence["innodb_data_bytes"] == 2048 * MIB
    assert found.evidence["machine_memory_mb"] is None


def test_machine_memory_caps_the_recommendation():
    (found,) = findings(
        {"settings": {"innodb_buffer_pool_size": str(128 * MIB)}, "facts": DATA}, machine_memory_mb=2048
    )
    assert f"= {1536 * MIB};" in (found.fix.sql or "")  # 75% of 2 GiB
    assert "75% of 2048 MiB" in found.fix.description


def test_cap_at_or_below_the_current_pool_is_clean():
    assert not findings(
        {"settings": {"innodb_buffer_pool_size": str(1536 * MIB)}, "facts": DATA}, machine_memory_mb=2048
    )


def test_data_that_fits_or_is_tiny_is_clean():
    assert not findings({"settings": {"innodb_buffer_pool_size": str(4096 * MIB)}, "facts": DATA})
    tiny = {"innodb_data_bytes": 40 * MIB, "innodb_index_bytes": 10 * MIB}
    assert not findings({"settings": {"innodb_buffer_pool_size": str(8 * MIB)}, "facts": tiny})
    assert not findings({"settings": {}, "facts": DATA})
