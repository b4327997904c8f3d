"""A MySQL 8 or MariaDB server's health, read in four read-only round trips into a :class:`HealthSnapshot`.

The readings are MySQLTuner's and pt-variable-advisor's: global variables (as the server prints
them), global status counters (InnoDB buffer pool, connections, temporary tables, table cache),
the data and index size per storage engine, and the tables without a primary key.
:func:`read_health` runs the named queries below; :func:`build_snapshot` maps their rows and is
pure, so it is tested on captured rows without a server.

MySQL and MariaDB do not report the machine's memory: rules that compare with it use their
``machine_memory_mb`` option, and the snapshot says so in ``unavailable``. Nothing here needs
performance_schema (often OFF, as on MariaDB by default); when it is OFF that is recorded too.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol

from dbexpert.engines.mysql.introspect import flavor_of
from dbexpert.model import Engine, Version
from dbexpert.model.health import HealthSnapshot

Row = Mapping[str, Any]

# Variables the ops and backup rules read; names that exist on only one flavor are simply absent.
VARIABLE_NAMES = (
    "binlog_expire_logs_seconds",  # MySQL 8 (and MariaDB >= 10.6, in seconds)
    "binlog_format",
    "enforce_gtid_consistency",  # MySQL only
    "expire_logs_days",  # MariaDB; deprecated on MySQL 8
    "gtid_mode",  # MySQL only
    "gtid_strict_mode",  # MariaDB only (its GTIDs are always on when the binary log is)
    "innodb_buffer_pool_size",
    "innodb_flush_log_at_trx_commit",
    "log_bin",
    "long_query_time",
    "max_connections",
    "max_heap_table_size",
    "performance_schema",
    "server_id",
    "slow_query_log",
    "sync_binlog",
    "table_open_cache",
    "tmp_table_size",
)

STATUS_NAMES = (
    "Aborted_connects",
    "Connections",
    "Created_tmp_disk_tables",
    "Created_tmp_tables",
    "Innodb_buffer_pool_read_requests",
    "Innodb_buffer_pool_reads",
    "Max_used_connections",
    "Open_tables",
    "Opened_tables",
    "Table_open_cache_hits",
    "Table_open_cache_misses",
    "Uptime",
)

_SYSTEM_SCHEMAS = "('mysql', 'information_schema', 'performance_schema', 'sys')"


def _in_list(names: Sequence[str]) -> str:
    return ", ".join(["%s"] * len(names))


VARIABLES = f"SHOW GLOBAL VARIABLES WHERE Variable_name IN ({_in_list(VARIABLE_NAMES)})"

STATUS = f"SHOW GLOBAL STATUS WHERE Variable_name IN ({_in_list(STATUS_NAMES)})"

# Data and index bytes per storage engine, all user schemas (MySQLTuner's "data size by engine").
ENGINE_SIZES = f"""
SELECT
    engine,
    COUNT(*) AS tables,
    COALESCE(SUM(data_length), 0) AS data_bytes,
    COALESCE(SUM(index_length), 0) AS index_bytes
FROM information_schema.TABLES
WHERE table_type = 'BASE TABLE'
  AND table_schema NOT IN {_SYSTEM_SCHEMAS}
GROUP BY engine
ORDER BY engine
"""

# Row-based replication finds each changed row on the replica by its key: without a primary key
# every row event scans the table there (pt-duplicate-key-checker and MySQLTuner both list these).
TABLES_WITHOUT_PRIMARY_KEY = f"""
SELECT t.table_schema, t.table_name, t.engine, t.table_rows
FROM information_schema.TABLES AS t
LEFT JOIN information_schema.TABLE_CONSTRAINTS AS c
  ON c.table_schema = t.table_schema
 AND c.table_name = t.table_name
 AND c.constraint_type = 'PRIMARY KEY'
WHERE t.table_type = 'BASE TABLE'
  AND t.table_schema NOT IN {_SYSTEM_SCHEMAS}
  AND c.constraint_name IS NULL
ORDER BY t.table_rows DESC, t.table_schema, t.table_name
LIMIT 200
"""


class HealthSession(Protocol):
    version_text: str
    url: Any

    def run(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]: ...


def read_health(session: HealthSession) -> HealthSnapshot:
    """The snapshot of the server behind ``session``: four SHOW / information_schema reads."""
    return build_snapshot(
        session.version_text,
        variables=session.run(VARIABLES, VARIABLE_NAMES),
        status=session.run(STATUS, STATUS_NAMES),
        engine_sizes=session.run(ENGINE_SIZES),
        without_primary_key=session.run(TABLES_WITHOUT_PRIMARY_KEY),
        source=session.url.redacted(),
    )


def build_snapshot(
    version_text: str,
    *,
    variables: Sequence[Row],
    status: Sequence[Row],
    engine_sizes: Sequence[Row],
    without_primary_key: Sequence[Row],
    source: str = "",
) -> HealthSnapshot:
    """Rows of the queries above -> the snapshot. Status counters become integer facts under their
    server names; sizes are summed into ``data_bytes`` / ``index_bytes`` (all engines) and
    ``innodb_data_bytes`` / ``innodb_index_bytes``."""
    settings = {str(r["Variable_name"]).lower(): str(r["Value"]) for r in variables}
    facts: dict[str, Any] = {str(r["Variable_name"]): _integer(r["Value"]) for r in status}
    sizes = [_lower_keys(r) for r in engine_sizes]
    facts["data_bytes"] = sum(int(r["data_bytes"]) for r in sizes)
    facts["index_bytes"] = sum(int(r["index_bytes"]) for r in sizes)
    innodb = [r for r in sizes if str(r.get("engine") or "").lower() == "innodb"]
    facts["innodb_data_bytes"] = sum(int(r["data_bytes"]) for r in innodb)
    facts["innodb_index_bytes"] = sum(int(r["index_bytes"]) for r in innodb)
    unavailable = {
        "machine_memory": "MySQL and MariaDB do not report the machine's memory: set the rule's "
        "machine_memory_mb option"
    }
    if settings.get("performance_schema", "OFF").upper() not in ("ON", "1"):
        unavailable["performance_schema"] = (
            "performance_schema is OFF: per-statement and per-index figures are unknown; "
            "the health rules use global status counters only"
        )
    results = {
        "engine_sizes": tuple(MappingProxyType(_plain_row(r)) for r in sizes),
        "tables_without_primary_key": tuple(
            MappingProxyType(_plain_row(_lower_keys(r))) for r in without_primary_key
        ),
    }
    return HealthSnapshot(
        engine=Engine.MYSQL,
        version=Version.parse(version_text),
        flavor=flavor_of(version_text),
        settings=MappingProxyType(settings),
        results=MappingProxyType(results),
        facts=MappingProxyType(facts),
        unavailable=MappingProxyType(unavailable),
        source=source,
    )


def _lower_keys(row: Row) -> dict[str, Any]:
    """information_schema column names come back upper-case on MySQL 8, lower-case on MariaDB."""
    return {str(k).lower(): v for k, v in row.items()}


def _plain_row(row: Row) -> dict[str, Any]:
    return {k: int(v) if isinstance(v, decimal.Decimal) else v for k, v in row.items()}


def _integer(value: Any) -> int | str:
    try:
        return int(str(value))
    except ValueError:
        return str(value)
