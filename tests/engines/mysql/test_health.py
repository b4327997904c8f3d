"""engines.mysql.health.build_snapshot on captured rows, without a server.

The MariaDB rows were captured from the local MariaDB 10.11 (SHOW GLOBAL VARIABLES / STATUS and
the information_schema queries of health.py, through PyMySQL's DictCursor). No MySQL 8 server runs
here: the MySQL 8 rows are written by hand from the MySQL 8.0 reference manual (server system
variables, `SHOW GLOBAL STATUS`, information_schema.TABLES, whose column names MySQL 8 returns in
upper case) — the variable names that differ from MariaDB (gtid_mode, enforce_gtid_consistency,
binlog_expire_logs_seconds; no gtid_strict_mode) are the point of that fixture.
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

from dbexpert.engines.mysql.health import STATUS, VARIABLE_NAMES, VARIABLES, build_snapshot
from dbexpert.model import Catalog, Engine, Version
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.registry import registry


def show(pairs: dict[str, str]) -> list[dict[str, str]]:
    return [{"Variable_name": name, "Value": value} for name, value in pairs.items()]


MARIADB_VARIABLES = show(
    {
        "binlog_expire_logs_seconds": "0",
        "binlog_format": "MIXED",
        "expire_logs_days": "0.000000",
        "gtid_strict_mode": "OFF",
        "innodb_buffer_pool_size": "134217728",
        "innodb_flush_log_at_trx_commit": "1",
        "log_bin": "OFF",
        "long_query_time": "10.000000",
        "max_connections": "151",
        "max_heap_table_size": "16777216",
        "performance_schema": "OFF",
        "server_id": "1",
        "slow_query_log": "OFF",
        "sync_binlog": "0",
        "table_open_cache": "2000",
        "tmp_table_size": "16777216",
    }
)
MARIADB_STATUS = show(
    {
        "Aborted_connects": "7",
        "Connections": "635",
        "Created_tmp_disk_tables": "4705",
        "Created_tmp_tables": "26086",
        "Innodb_buffer_pool_read_requests": "3185878",
        "Innodb_buffer_pool_reads": "170",
        "Max_used_connections": "6",
        "Open_tables": "166",
        "Opened_tables": "503",
        "Table_open_cache_hits": "38101",
        "Table_open_cache_misses": "516",
        "Uptime": "2571",
    }
)
MARIADB_SIZES = [
    {"engine": "InnoDB", "tables": 3, "data_bytes": Decimal(49152), "index_bytes": Decimal(32768)},
    {"engine": "MyISAM", "tables": 1, "data_bytes": Decimal(1024), "index_bytes": Decimal(2048)},
]
MARIADB_NO_PK = [{"table_schema": "shop", "table_name": "audit_log", "engine": "InnoDB", "table_rows": 12000}]

# MySQL 8.0, written from the reference manual (no server here): GTIDs on, ROW binlog, 30-day retention.
MYSQL8_VARIABLES = show(
    {
        "binlog_expire_logs_seconds": "2592000",
        "binlog_format": "ROW",
        "enforce_gtid_consistency": "ON",
        "expire_logs_days": "0",
        "gtid_mode": "ON",
        "innodb_buffer_pool_size": "134217728",
        "innodb_flush_log_at_trx_commit": "1",
        "log_bin": "ON",
        "long_query_time": "10.000000",
        "max_connections": "151",
        "performance_schema": "ON",
        "slow_query_log": "OFF",
        "sync_binlog": "1",
    }
)
MYSQL8_STATUS = show({"Max_used_connections": "140", "Uptime": "86400"})
MYSQL8_SIZES = [{"ENGINE": "InnoDB", "TABLES": 40, "DATA_BYTES": 6 * 1024**3, "INDEX_BYTES": 2 * 1024**3}]
MYSQL8_NO_PK = [{"TABLE_SCHEMA": "app", "TABLE_NAME": "events", "ENGINE": "InnoDB", "TABLE_ROWS": 9_000_000}]


def test_mariadb_rows_map_to_settings_counters_and_sizes():
    snapshot = build_snapshot(
        "10.11.19-MariaDB-0+deb12u1",
        variables=MARIADB_VARIABLES,
        status=MARIADB_STATUS,
        engine_sizes=MARIADB_SIZES,
        without_primary_key=MARIADB_NO_PK,
        source="mysql://root@127.0.0.1:3306/shop",
    )
    assert snapshot.engine is Engine.MYSQL and snapshot.flavor == "mariadb"
    assert snapshot.version == Version(10, 11, 19)
    assert snapshot.setting("log_bin") == "OFF" and snapshot.setting("gtid_strict_mode") == "OFF"
    assert snapshot.facts["Innodb_buffer_pool_reads"] == 170 and snapshot.facts["Uptime"] == 2571
    assert snapshot.facts["data_bytes"] == 50176 and snapshot.facts["index_bytes"] == 34816
    assert snapshot.facts["innodb_data_bytes"] == 49152 and snapshot.facts["innodb_index_bytes"] == 32768
    assert [dict(r) for r in snapshot.rows("tables_without_primary_key")] == MARIADB_NO_PK
    assert "performance_schema is OFF" in snapshot.unavailable["performance_schema"]
    assert "machine_memory_mb" in snapshot.unavailable["machine_memory"]


def test_mysql8_rows_upper_case_columns_and_mysql_only_variables():
    snapshot = build_snapshot(
        "8.0.36",
        variables=MYSQL8_VARIABLES,
        status=MYSQL8_STATUS,
        engine_sizes=MYSQL8_SIZES,
        without_primary_key=MYSQL8_NO_PK,
    )
    assert snapshot.flavor == "mysql" and "performance_schema" not in snapshot.unavailable
    assert snapshot.setting("gtid_mode") == "ON" and snapshot.setting("gtid_strict_mode") is None
    assert snapshot.facts["innodb_data_bytes"] == 6 * 1024**3
    assert snapshot.rows("tables_without_primary_key")[0]["table_name"] == "events"
    catalog = Catalog(engine=Engine.MYSQL, version=snapshot.version, flavor=snapshot.flavor)
    mine = [r for r in registry() if r.name.startswith(("mysql-", "backup-mysql-"))]
    fired = {f.rule for f in run_health_rules(snapshot, catalog, mine)}
    # GTIDs on, ROW, durable, 30 days: none of the backup rules; the data outgrew the pool; the
    # key-less table matters because the binary log is on; 140 of 151 connections used.
    assert fired == {
        "mysql-buffer-pool-smaller-than-data",
        "mysql-binlog-table-without-primary-key",
        "mysql-connections-near-limit",
        "mysql-slow-query-log-off",
    }


def test_queries_ask_for_exactly_the_named_variables():
    assert VARIABLES.count("%s") == len(VARIABLE_NAMES)
    assert STATUS.startswith("SHOW GLOBAL STATUS")
    snapshot = build_snapshot(
        "10.11.6-MariaDB", variables=[], status=[], engine_sizes=[], without_primary_key=[]
    )
    assert snapshot.facts["data_bytes"] == 0 and isinstance(snapshot.results, MappingProxyType)
