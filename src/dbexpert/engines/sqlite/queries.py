"""Named introspection SQL for SQLite: one query per kind of object, whatever the table count.

Each query joins ``sqlite_schema`` with a table-valued pragma function, so the columns, foreign
keys and indexes of every table come back in a single round trip each. Names are passed to the
pragma functions as values, never spliced into the SQL, so hostile table names are harmless.
"""

from __future__ import annotations

from dbexpert.model import Version

# sqlite_schema is the name since 3.33; older libraries only know its alias sqlite_master.
_SCHEMA_TABLE_SINCE = Version(3, 33, 0)

# User tables: internal sqlite_* tables are skipped, and so are virtual tables, whose pragmas
# need the module loaded (an absent extension would fail the whole query).
_USER_TABLES = """
    m.type = 'table'
    AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
    AND coalesce(m.sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'
"""

SETTINGS = """
SELECT
    sqlite_version() AS version,
    (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode,
    (SELECT foreign_keys FROM pragma_foreign_keys) AS foreign_keys,
    (SELECT page_size FROM pragma_page_size) AS page_size,
    (SELECT page_count FROM pragma_page_count) AS page_count,
    (SELECT freelist_count FROM pragma_freelist_count) AS freelist_count,
    (SELECT auto_vacuum FROM pragma_auto_vacuum) AS auto_vacuum,
    (SELECT user_version FROM pragma_user_version) AS user_version,
    (SELECT encoding FROM pragma_encoding) AS encoding
"""

SETTINGS_COLUMNS = (
    "version",
    "journal_mode",
    "foreign_keys",
    "page_size",
    "page_count",
    "freelist_count",
    "auto_vacuum",
    "user_version",
    "encoding",
)

OBJECTS = """
SELECT m.type, m.name, m.tbl_name, m.sql
FROM {schema_table} AS m
ORDER BY m.rowid
"""

COLUMNS = f"""
SELECT m.name, c.cid, c.name, c.type, c."notnull", c.dflt_value, c.pk, c.hidden
FROM {{schema_table}} AS m
JOIN pragma_table_xinfo(m.name, 'main') AS c
WHERE {_USER_TABLES}
ORDER BY m.name, c.cid
"""

FOREIGN_KEYS = f"""
SELECT m.name, f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete, f."match"
FROM {{schema_table}} AS m
JOIN pragma_foreign_key_list(m.name, 'main') AS f
WHERE {_USER_TABLES}
ORDER BY m.name, f.id, f.seq
"""

# Only key parts (x.key = 1): the trailing rowid / primary key columns every index carries are
# storage detail, not part of what the index was declared on.
INDEX_COLUMNS = f"""
SELECT m.name, l.name, l."unique", l.origin, l.partial,
       x.seqno, x.cid, x.name, x."desc", x.coll
FROM {{schema_table}} AS m
JOIN pragma_index_list(m.name, 'main') AS l
JOIN pragma_index_xinfo(l.name, 'main') AS x
WHERE {_USER_TABLES} AND x."key" = 1
ORDER BY m.name, l.name, x.seqno
"""

STAT1 = "SELECT tbl, idx, stat FROM main.sqlite_stat1"


def schema_table(version: Version) -> str:
    return "main.sqlite_schema" if version >= _SCHEMA_TABLE_SINCE else "main.sqlite_master"


def for_version(query: str, version: Version) -> str:
    """``query`` with the schema table name the library at ``version`` understands."""
    return query.format(schema_table=schema_table(version))
