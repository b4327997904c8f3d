"""Named catalog queries for MySQL 8 and MariaDB, chosen by flavor and server version.

Every query reads one information_schema view for the whole schema at once (``TABLE_SCHEMA = %s``),
so introspection costs the same number of round trips for 5 tables or 5,000. Every column is
aliased in lower case because MySQL 8 returns information_schema labels in upper case whatever
the query spells.
"""

from __future__ import annotations

from dbexpert.model import Version

# Server settings the rules read. SHOW GLOBAL VARIABLES skips the ones a flavor does not have.
SETTING_NAMES = (
    "version",
    "version_comment",
    "performance_schema",
    "innodb_buffer_pool_size",
    "innodb_file_per_table",
    "innodb_flush_log_at_trx_commit",
    "binlog_format",
    "log_bin",
    "sync_binlog",
    "gtid_mode",
    "gtid_strict_mode",
    "sql_mode",
    "default_storage_engine",
    "character_set_server",
    "collation_server",
    "lower_case_table_names",
    "max_connections",
    "transaction_isolation",
    "tx_isolation",
    "explicit_defaults_for_timestamp",
    "slow_query_log",
    "long_query_time",
)

SERVER_VERSION = "SELECT VERSION() AS version"

SETTINGS = "SHOW GLOBAL VARIABLES WHERE Variable_name IN ({placeholders})".format(
    placeholders=", ".join(["%s"] * len(SETTING_NAMES))
)

TABLES = """
SELECT TABLE_NAME AS table_name, TABLE_TYPE AS table_type, ENGINE AS engine,
       ROW_FORMAT AS row_format, TABLE_ROWS AS table_rows, AVG_ROW_LENGTH AS avg_row_length,
       DATA_LENGTH AS data_length, INDEX_LENGTH AS index_length, DATA_FREE AS data_free,
       AUTO_INCREMENT AS auto_increment, TABLE_COLLATION AS table_collation,
       CREATE_OPTIONS AS create_options, TABLE_COMMENT AS table_comment
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = %s AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
ORDER BY TABLE_NAME
"""

COLUMNS = """
SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, ORDINAL_POSITION AS ordinal_position,
       COLUMN_DEFAULT AS column_default, IS_NULLABLE AS is_nullable, DATA_TYPE AS data_type,
       COLUMN_TYPE AS column_type, CHARACTER_SET_NAME AS character_set_name,
       COLLATION_NAME AS collation_name, EXTRA AS extra,
       GENERATION_EXPRESSION AS generation_expression, COLUMN_COMMENT AS column_comment
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = %s
ORDER BY TABLE_NAME, ORDINAL_POSITION
"""

_STATISTICS = """
SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique,
       SEQ_IN_INDEX AS seq_in_index, COLUMN_NAME AS column_name, COLLATION AS collation,
       CARDINALITY AS cardinality, SUB_PART AS sub_part, INDEX_TYPE AS index_type,
       INDEX_COMMENT AS index_comment, {extra}
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = %s
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""

# MySQL 8.0.13 added functional key parts (EXPRESSION) and invisible indexes (IS_VISIBLE);
# MariaDB 10.6 added ignored indexes (IGNORED).
_STATISTICS_MYSQL8 = _STATISTICS.format(extra="EXPRESSION AS expression, IS_VISIBLE AS is_visible")
_STATISTICS_MARIADB_IGNORED = _STATISTICS.format(
    extra="NULL AS expression, CASE IGNORED WHEN 'YES' THEN 'NO' ELSE 'YES' END AS is_visible"
)
_STATISTICS_PLAIN = _STATISTICS.format(extra="NULL AS expression, 'YES' AS is_visible")

# MariaDB names column-level CHECKs after their column, so its check names are unique per
# table only; MySQL's are unique per schema and carry an ENFORCED flag.
_CONSTRAINTS_MARIADB = """
SELECT tc.TABLE_NAME AS table_name, tc.CONSTRAINT_NAME AS constraint_name,
       tc.CONSTRAINT_TYPE AS constraint_type, cc.CHECK_CLAUSE AS check_clause,
       cc.LEVEL AS check_level, 'YES' AS enforced
FROM information_schema.TABLE_CONSTRAINTS AS tc
LEFT JOIN information_schema.CHECK_CONSTRAINTS AS cc
  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.TABLE_NAME = tc.TABLE_NAME
 AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE tc.TABLE_SCHEMA = %s
ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME
"""
_CONSTRAINTS_MYSQL8 = """
SELECT tc.TABLE_NAME AS table_name, tc.CONSTRAINT_NAME AS constraint_name,
       tc.CONSTRAINT_TYPE AS constraint_type, cc.CHECK_CLAUSE AS check_clause,
       NULL AS check_level, tc.ENFORCED AS enforced
FROM information_schema.TABLE_CONSTRAINTS AS tc
LEFT JOIN information_schema.CHECK_CONSTRAINTS AS cc
  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
 AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE tc.TABLE_SCHEMA = %s
ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME
"""
# Servers before CHECK_CONSTRAINTS existed (MySQL < 8.0.16) parsed CHECK but ignored it.
_CONSTRAINTS_PLAIN = """
SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS constraint_name,
       CONSTRAINT_TYPE AS constraint_type, NULL AS check_clause, NULL AS check_level,
       'YES' AS enforced
FROM information_schema.TABLE_CONSTRAINTS
WHERE TABLE_SCHEMA = %s
ORDER BY TABLE_NAME, CONSTRAINT_NAME
"""

FOREIGN_KEYS = """
SELECT kcu.TABLE_NAME AS table_name, kcu.CONSTRAINT_NAME AS constraint_name,
       kcu.COLUMN_NAME AS column_name, kcu.ORDINAL_POSITION AS ordinal_position,
       kcu.REFERENCED_TABLE_SCHEMA AS referenced_table_schema,
       kcu.REFERENCED_TABLE_NAME AS referenced_table_name,
       kcu.REFERENCED_COLUMN_NAME AS referenced_column_name,
       rc.UPDATE_RULE AS update_rule, rc.DELETE_RULE AS delete_rule
FROM information_schema.KEY_COLUMN_USAGE AS kcu
JOIN information_schema.REFERENTIAL_CONSTRAINTS AS rc
  ON rc.CONSTRAINT_SCHEMA = kcu.CONSTRAINT_SCHEMA AND rc.TABLE_NAME = kcu.TABLE_NAME
 AND rc.CONSTRAINT_NAME = kcu.CONSTRAINT_NAME
WHERE kcu.TABLE_SCHEMA = %s AND kcu.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY kcu.TABLE_NAME, kcu.CONSTRAINT_NAME, kcu.ORDINAL_POSITION
"""

VIEWS = """
SELECT TABLE_NAME AS table_name, VIEW_DEFINITION AS view_definition
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = %s
ORDER BY TABLE_NAME
"""

# COUNT_STAR counts every I/O wait through the index since the server started or the table was
# truncated; INDEX_NAME NULL rows are full table scans and are kept for the table's own figure.
INDEX_USAGE = """
SELECT OBJECT_NAME AS table_name, INDEX_NAME AS index_name, COUNT_STAR AS count_star,
       COUNT_READ AS count_read
FROM performance_schema.table_io_waits_summary_by_index_usage
WHERE OBJECT_SCHEMA = %s
"""


def statistics_query(flavor: str, version: Version) -> str:
    if flavor == "mysql" and version >= Version(8, 0, 13):
        return _STATISTICS_MYSQL8
    if flavor == "mariadb" and version >= Version(10, 6):
        return _STATISTICS_MARIADB_IGNORED
    return _STATISTICS_PLAIN


def constraints_query(flavor: str, version: Version) -> str:
    if flavor == "mariadb" and version >= Version(10, 3, 10):
        return _CONSTRAINTS_MARIADB
    if flavor == "mysql" and version >= Version(8, 0, 16):
        return _CONSTRAINTS_MYSQL8
    return _CONSTRAINTS_PLAIN


def quote_name(name: str) -> str:
    """An identifier in backticks with embedded backticks doubled: the only way a name enters our SQL."""
    return "`" + name.replace("`", "``") + "`"


def qualified_name(schema: str, name: str) -> str:
    return f"{quote_name(schema)}.{quote_name(name)}"


def sample_values_query(schema: str, table: str, column: str) -> str:
    col = quote_name(column)
    return (
        f"SELECT CAST({col} AS CHAR) AS value FROM {qualified_name(schema, table)} "
        f"WHERE {col} IS NOT NULL LIMIT %s"
    )


def count_orphans_query(
    child_schema: str,
    child: str,
    columns: tuple[str, ...],
    parent_schema: str,
    parent: str,
    ref_columns: tuple[str, ...],
) -> str:
    """Checks a bounded sample of child keys (LIMIT %s) against the parent, one probe per sampled key."""
    sample_cols = ", ".join(f"{quote_name(c)} AS k{i}" for i, c in enumerate(columns))
    not_null = " AND ".join(f"{quote_name(c)} IS NOT NULL" for c in columns)
    matches = " AND ".join(f"p.{quote_name(r)} = s.k{i}" for i, r in enumerate(ref_columns))
    return (
        "SELECT COUNT(*) AS checked, "
        f"COALESCE(SUM(NOT EXISTS (SELECT 1 FROM {qualified_name(parent_schema, parent)} AS p "
        f"WHERE {matches})), 0) AS orphans "
        f"FROM (SELECT {sample_cols} FROM {qualified_name(child_schema, child)} "
        f"WHERE {not_null} LIMIT %s) AS s"
    )
