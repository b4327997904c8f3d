"""Per-table row counts and content checksums, and schema facts, read from a PostgreSQL database.

The checksum of a table is the sum, over its rows, of the first 64 bits of ``md5(row::text)``
(as a signed bigint, summed as numeric so it never overflows). A sum does not depend on the order
the rows come back in, and it is computed on the server: only two numbers per table cross the wire.
``row::text`` depends on a few output settings (time zone, date style, float digits, bytea output),
so every session that computes a checksum pins them first: a source and its restored copy then
print every row the same way.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import psycopg
from psycopg import sql

from dbexpert.engines.postgres.scratch import Row, clean_error, connect
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import ConnectError

METHOD = "postgres:sum(md5(row::text)[0:64] as bigint)"

# Output settings ``row::text`` depends on, pinned for every checksum session.
CANONICAL_SETTINGS = {
    "TimeZone": "UTC",
    "DateStyle": "ISO,YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "3",
    "bytea_output": "hex",
}

_TABLES = """
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"""

_INDEXES = """
SELECT n.nspname || '.' || t.relname AS table, i.relname AS name, x.indisvalid AS valid
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
ORDER BY 1, 2
"""

_CONSTRAINTS = """
SELECT n.nspname || '.' || t.relname AS table, c.conname AS name, c.contype AS kind,
       c.convalidated AS valid
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2
"""


_KINDS = {
    "p": "primary key",
    "f": "foreign key",
    "u": "unique",
    "c": "check",
    "x": "exclusion",
    "t": "trigger",
}


def read_sums(url: DatabaseUrl, *, read_only: bool = True, skip: Collection[str] = ()) -> dict[str, Any]:
    """Count and checksum every table of ``url``'s database (but the ``schema.name`` tables in
    ``skip``), in one read-only snapshot.

    The result has the manifest's shape (``api.backup_manifest`` reads it into the model): ``tables``
    (``table``, ``rows``, ``checksum``), ``objects`` (``table``, ``name``, ``kind``, ``valid``) and
    ``size_bytes``.
    """
    settings = dict(CANONICAL_SETTINGS)
    if read_only:
        settings["default_transaction_read_only"] = "on"
    conn = connect(url, **settings)
    try:
        with conn.transaction():
            # One snapshot for every table: rows written meanwhile do not skew one table against another.
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            tables = tuple(
                _table_sum(conn, row["schema"], row["name"])
                for row in conn.execute(_TABLES)
                if f"{row['schema']}.{row['name']}" not in skip
            )
            objects = [_object(r, "index") for r in conn.execute(_INDEXES)]
            objects += [_object(r, _KINDS.get(r["kind"], str(r["kind"]))) for r in conn.execute(_CONSTRAINTS)]
            size = conn.execute("SELECT pg_database_size(current_database()) AS n").fetchone()
    except psycopg.Error as exc:
        raise ConnectError(f"cannot read {url.redacted()}: {clean_error(exc, url)}") from None
    finally:
        conn.close()
    return {"tables": list(tables), "objects": objects, "size_bytes": int(size["n"]) if size else 0}


def unreadable_tables(url: DatabaseUrl) -> dict[str, str]:
    """Tables whose rows the server cannot read (a damaged page fails its data checksum or its header
    check), with the server's message; each table is read in its own transaction, so one damaged
    table does not hide the others."""
    conn = connect(url, **CANONICAL_SETTINGS, default_transaction_read_only="on")
    broken: dict[str, str] = {}
    try:
        for row in conn.execute(_TABLES).fetchall():
            try:
                _table_sum(conn, row["schema"], row["name"])
            except (psycopg.errors.DataCorrupted, psycopg.errors.InternalError_) as exc:  # XX001, XX000
                broken[f"{row['schema']}.{row['name']}"] = clean_error(exc, url)
    except psycopg.Error as exc:
        raise ConnectError(f"cannot read {url.redacted()}: {clean_error(exc, url)}") from None
    finally:
        conn.close()
    return broken


def _object(row: Row, kind: str) -> dict[str, Any]:
    return {"table": row["table"], "name": row["name"], "kind": kind, "valid": bool(row["valid"])}


def _table_sum(conn: psycopg.Connection[Row], schema: str, name: str) -> dict[str, Any]:
    query = sql.SQL(
        "SELECT count(*) AS n, coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0)"
        " AS s FROM ONLY {} t"
    ).format(sql.Identifier(schema, name))
    row = conn.execute(query).fetchone()
    assert row is not None  # an aggregate always returns one row
    # The sum may exceed 64 bits: kept as decimal text.
    return {"table": f"{schema}.{name}", "rows": int(row["n"]), "checksum": str(row["s"])}
