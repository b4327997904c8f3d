"""mysql-buffer-pool-smaller-than-data: the pool against InnoDB data + indexes (and machine memory)."""

from __future__ import annotations

from tests.rules.ops.helpers import mysql_findings

RULE = "mysql-buffer-pool-smaller-than-data"
findings = mysql_findings(RULE)
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
