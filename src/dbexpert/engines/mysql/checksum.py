"""Per-table row counts and content checksums, and schema facts, read from a MySQL/MariaDB database.

The checksum of a table is the sum, over its rows, of the first 60 bits of the MD5 of the row's
canonical text: every column through ``QUOTE()`` (so NULL and the string 'NULL' differ, and no value
can shift into its neighbour), joined with commas. A sum does not depend on row order and is
computed on the server. The session pins ``time_zone`` so TIMESTAMP columns print the same on a
source and on its restored copy.
"""

from __future__ import annotations

from typing import Any

import pymysql

from dbexpert.engines.mysql.scratch import Connection, clean_error, connect, execute, quote
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import ConnectError, InputError

METHOD = "mysql:sum(conv(md5(concat_ws(',', quote(col)...))[0:15], 16, 10))"

_TABLES = """
SELECT TABLE_NAME AS name FROM information_schema.TABLES
WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME
"""
_COLUMNS = """
SELECT TABLE_NAME AS tbl, COLUMN_NAME AS col FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, ORDINAL_POSITION
"""
_INDEXES = """
SELECT DISTINCT TABLE_NAME AS tbl, INDEX_NAME AS name FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = %s ORDER BY 1, 2
"""
_CONSTRAINTS = """
SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, CONSTRAINT_TYPE AS kind
FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = %s ORDER BY 1, 2, 3
"""
_SIZE = """
SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s
"""


def read_sums(url: DatabaseUrl, *, read_only: bool = True) -> dict[str, Any]:
    """Count and checksum every table of ``url``'s database, in one consistent snapshot.

    The result has the manifest's shape (see ``engines.postgres.checksum.read_sums``); table names
    are bare, since a restored copy lives in a database of another name.
    """
    database = url.database
    if not database:
        raise InputError(f"{url.redacted()}: name the database to read (mysql://host/DATABASE)")
    conn = connect(url, database)
    try:
        execute(conn, "SET SESSION time_zone = '+00:00'")
        if read_only:
            execute(conn, "SET SESSION TRANSACTION READ ONLY")
        execute(conn, "START TRANSACTION WITH CONSISTENT SNAPSHOT")
        columns: dict[str, list[str]] = {}
        for row in execute(conn, _COLUMNS, (database,)):
            columns.setdefault(str(row["tbl"]), []).append(str(row["col"]))
        tables = [
            _table_sum(conn, str(r["name"]), columns.get(str(r["name"]), []))
            for r in execute(conn, _TABLES, (database,))
        ]
        objects = [_object(r, "index") for r in execute(conn, _INDEXES, (database,))]
        objects += [_object(r, str(r["kind"]).lower()) for r in execute(conn, _CONSTRAINTS, (database,))]
        size = execute(conn, _SIZE, (database,))
        execute(conn, "COMMIT")
    except pymysql.err.MySQLError as exc:
        raise ConnectError(f"cannot read {url.redacted()}: {clean_error(exc, url)}") from None
    finally:
        conn.close()
    return {"tables": tables, "objects": objects, "size_bytes": int(size[0]["n"]) if size else 0}


def _table_sum(conn: Connection, table: str, columns: list[str]) -> dict[str, Any]:
    text = "CONCAT_WS(',', " + ", ".join(f"QUOTE({quote(c)})" for c in columns) + ")"
    rows = execute(
        conn,
        f"SELECT COUNT(*) AS n, COALESCE(SUM(CAST(CONV(SUBSTR(MD5({text}), 1, 15), 16, 10) AS UNSIGNED)), 0) AS s"
        f" FROM {quote(table)}",
    )
    # The sum may exceed 64 bits: kept as decimal text.
    return {"table": table, "rows": int(rows[0]["n"]), "checksum": str(int(rows[0]["s"]))}


def _object(row: dict[str, Any], kind: str) -> dict[str, Any]:
    return {"table": str(row["tbl"]), "name": str(row["name"]), "kind": kind, "valid": True}


def check_tables(url: DatabaseUrl, tables: list[str]) -> dict[str, str]:
    """``CHECK TABLE`` on each table: table -> the problem it reported (tables that pass are absent)."""
    problems: dict[str, str] = {}
    if not tables:
        return problems
    conn = connect(url, url.database)
    try:
        for table in tables:
            rows = execute(conn, f"CHECK TABLE {quote(table)}")
            bad = [r for r in rows if str(r.get("Msg_type", "")).lower() == "error"]
            status = [r for r in rows if str(r.get("Msg_type", "")).lower() == "status"]
            if bad or (
                status
                and str(status[-1].get("Msg_text", "")).upper() not in ("OK", "TABLE IS ALREADY UP TO DATE")
            ):
                problems[table] = str((bad or status)[-1].get("Msg_text", "failed"))
    except pymysql.err.MySQLError as exc:
        raise ConnectError(f"cannot check tables on {url.redacted()}: {clean_error(exc, url)}") from None
    finally:
        conn.close()
    return problems
