"""Named, read-only catalog queries for PostgreSQL 12+, one per object kind.

Each query returns every object of its kind in the database at once, so introspection costs the
same number of round trips for 5 tables as for 5,000. The few columns that only exist on newer
servers are chosen by :func:`catalog_queries` from the server version, never probed for.

System schemas, other sessions' temporary schemas and objects owned by an extension (PostGIS's
``spatial_ref_sys``, say) are left out: they are not the user's schema to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# Schemas that belong to the server, not to the user.
_USER_NAMESPACE = """
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_toast'
    AND n.nspname !~ '^pg_temp_'
"""


def _not_extension_member(catalog: str, oid: str) -> str:
    """A predicate: the object is not a member of an extension (dependency type 'e')."""
    return f"""NOT EXISTS (
        SELECT 1 FROM pg_depend dep
        WHERE dep.classid = '{catalog}'::regclass AND dep.objid = {oid} AND dep.deptype = 'e'
    )"""


# Relations we model as tables: ordinary, partitioned and foreign tables.
_USER_TABLE = f"""
    c.relkind IN ('r', 'p', 'f')
    AND {_USER_NAMESPACE}
    AND {_not_extension_member("pg_class", "c.oid")}
"""

# Relations another session holds or awaits an ACCESS EXCLUSIVE lock on (a running migration).
# The deparsers (pg_get_expr, pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef) open the
# relation and would queue behind that lock until lock_timeout failed the whole audit; such
# tables are left out of the catalog instead, and reported as skipped. An uncorrelated scalar
# subquery: PostgreSQL evaluates it once per query (a hashed subplan).
_LOCKED = """(
    SELECT l.relation FROM pg_locks l
    WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
)"""


def _unlocked(oid: str) -> str:
    return f"NOT ({oid} IN {_LOCKED})"


SERVER = """
SELECT
    current_setting('server_version') AS server_version,
    current_setting('server_version_num')::int AS server_version_num,
    current_database() AS database,
    pg_database_size(current_database()) AS database_bytes,
    pg_is_in_recovery() AS in_recovery,
    (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset,
    (SELECT json_object_agg(extname, extversion) FROM pg_extension) AS extensions,
    (SELECT json_object_agg(name, current_setting(name))
       FROM pg_settings
      WHERE NOT (name = ANY(%(session_overrides)s) AND source IN ('client', 'session'))
    ) AS settings
"""

# Sizes come from pg_class.relpages (as of the last VACUUM/ANALYZE/CREATE INDEX) rather than
# pg_relation_size(), which opens each relation and would queue behind any migration holding an
# ACCESS EXCLUSIVE lock, failing the audit at lock_timeout.
_TABLES = """
SELECT
    c.oid AS table_oid,
    n.nspname AS schema,
    c.relname AS name,
    c.relkind AS relkind,
    c.relpersistence AS persistence,
    c.reltuples AS reltuples,
    c.reloptions AS reloptions,
    parent_n.nspname AS parent_schema,
    parent.relname AS parent_name,
    obj_description(c.oid, 'pg_class') AS comment,
    CASE WHEN c.relkind = 'f' THEN NULL
         ELSE (c.relpages + coalesce(toast.relpages, 0))::bigint * current_setting('block_size')::bigint
    END AS table_bytes,
    CASE WHEN c.relkind = 'f' THEN NULL
         ELSE (c.relpages + coalesce(toast.relpages, 0)
               + coalesce((SELECT sum(ix.relpages) FROM pg_index x JOIN pg_class ix ON ix.oid = x.indexrelid
                           WHERE x.indrelid = c.oid), 0))::bigint * current_setting('block_size')::bigint
    END AS total_bytes,
    s.seq_scan,
    s.idx_scan,
    s.n_tup_ins,
    s.n_tup_upd,
    s.n_tup_del,
    s.n_live_tup,
    s.n_dead_tup,
    s.last_vacuum,
    s.last_autovacuum,
    s.last_analyze,
    s.last_autoanalyze,
    {last_seq_scan} AS last_seq_scan,
    c.oid IN {locked} AS locked
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
LEFT JOIN pg_inherits inh ON inh.inhrelid = c.oid AND c.relispartition
LEFT JOIN pg_class parent ON parent.oid = inh.inhparent
LEFT JOIN pg_namespace parent_n ON parent_n.oid = parent.relnamespace
WHERE {user_table}
ORDER BY n.nspname, c.relname
"""

COLUMNS = f"""
SELECT
    a.attrelid AS table_oid,
    a.attnum AS position,
    a.attname AS name,
    format_type(a.atttypid, a.atttypmod) AS raw_type,
    a.atttypid AS type_oid,
    t.typtype AS type_type,
    CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS domain_base_type,
    a.attnotnull AS not_null,
    pg_get_expr(ad.adbin, ad.adrelid, true) AS default_expr,
    a.attidentity AS identity,
    a.attgenerated AS generated,
    col_description(a.attrelid, a.attnum) AS comment,
    coll.collname AS collation,
    st.null_frac AS null_frac,
    st.n_distinct AS n_distinct,
    st.avg_width AS avg_width,
    array_to_json(st.most_common_vals) AS most_common_vals,
    st.most_common_freqs AS most_common_freqs,
    st.correlation AS correlation,
    coalesce(nullif(a.attstattarget, -1), current_setting('default_statistics_target')::int) AS statistics_target,
    c.reltuples AS reltuples
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation coll ON coll.oid = a.attcollation AND a.attcollation <> t.typcollation
LEFT JOIN pg_stats st
       ON st.schemaname = n.nspname AND st.tablename = c.relname AND st.attname = a.attname
      AND st.inherited = (c.relkind = 'p')
WHERE a.attnum > 0 AND NOT a.attisdropped AND {_USER_TABLE} AND {_unlocked("c.oid")}
ORDER BY a.attrelid, a.attnum
"""

# Key columns of a constraint, in key order (composite keys keep their order).
_KEY_NAMES = """(
    SELECT array_agg(a.attname ORDER BY k.ord)
    FROM unnest({keys}) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum
)"""

CONSTRAINTS = f"""
SELECT
    con.conrelid AS table_oid,
    con.conname AS name,
    con.contype AS type,
    {_KEY_NAMES.format(keys="con.conkey", rel="con.conrelid")} AS columns,
    ref_n.nspname AS ref_schema,
    ref.relname AS ref_table,
    {_KEY_NAMES.format(keys="con.confkey", rel="con.confrelid")} AS ref_columns,
    con.confdeltype AS on_delete,
    con.confupdtype AS on_update,
    con.confmatchtype AS match_type,
    con.condeferrable AS deferrable,
    con.condeferred AS deferred,
    con.convalidated AS validated,
    con.conparentid <> 0 AS inherited,
    CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid, true) END AS check_expr,
    pg_get_constraintdef(con.oid, true) AS definition
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class ref ON ref.oid = con.confrelid
LEFT JOIN pg_namespace ref_n ON ref_n.oid = ref.relnamespace
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND {_USER_TABLE} AND {_unlocked("c.oid")}
ORDER BY con.conrelid, con.conname
"""

# Key parts of an index in order. indkey, indoption, indclass and indcollation are 0-based vectors;
# a key with attnum 0 is an expression, which pg_get_indexdef(index, position, pretty) prints.
# Positions past indnkeyatts are INCLUDE columns.
_INDEX_KEYS = """(
    SELECT json_agg(json_build_object(
        'column', a.attname,
        'text', pg_get_indexdef(i.indexrelid, k.ord::int, true),
        'descending', (i.indoption[k.ord - 1] & 1) = 1,
        'nulls_first', (i.indoption[k.ord - 1] & 2) = 2,
        'opclass', CASE WHEN NOT opc.opcdefault THEN opc.opcname END,
        'collation', CASE WHEN i.indcollation[k.ord - 1] <> 0
                           AND i.indcollation[k.ord - 1] <> coalesce(a.attcollation, 0)
                           AND i.indcollation[k.ord - 1] <> 100  -- "default"
                          THEN kc.collname END,
        'include', k.ord > i.indnkeyatts
    ) ORDER BY k.ord)
    FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
    LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[k.ord - 1]
    LEFT JOIN pg_collation kc ON kc.oid = i.indcollation[k.ord - 1]
)"""

_INDEXES = f"""
SELECT
    i.indrelid AS table_oid,
    n.nspname AS schema,
    ic.relname AS name,
    am.amname AS method,
    i.indisunique AS is_unique,
    i.indisprimary AS is_primary,
    i.indisvalid AS is_valid,
    i.indisready AS is_ready,
    {_INDEX_KEYS} AS keys,
    pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
    con.conname AS constraint_name,
    con.contype AS constraint_type,
    s.idx_scan AS scans,
    s.idx_tup_read AS tuples_read,
    ic.relpages::bigint * current_setting('block_size')::bigint AS size_bytes,
    {{last_idx_scan}} AS last_idx_scan,
    pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_constraint con
       ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
WHERE {_USER_TABLE} AND {_unlocked("c.oid")} AND {_unlocked("i.indexrelid")}
ORDER BY i.indrelid, ic.relname
"""

# pg_sequence rather than the pg_sequences view so extension-owned sequences can be excluded;
# last_value is read the way pg_sequences reads it (NULL without privilege or before first use).
# The owning column comes from pg_depend: 'a' for serial (OWNED BY), 'i' for identity columns.
SEQUENCES = f"""
SELECT
    n.nspname AS schema,
    c.relname AS name,
    format_type(s.seqtypid, NULL) AS data_type,
    s.seqstart AS start_value,
    s.seqincrement AS increment_by,
    s.seqmin AS min_value,
    s.seqmax AS max_value,
    s.seqcycle AS cycle,
    CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE') THEN pg_sequence_last_value(c.oid) END
        AS last_value,
    owner_n.nspname AS owner_schema,
    owner.relname AS owner_table,
    owner_col.attname AS owner_column,
    dep.deptype AS owner_dependency
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend dep
       ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
      AND dep.refclassid = 'pg_class'::regclass AND dep.refobjsubid > 0 AND dep.deptype IN ('a', 'i')
LEFT JOIN pg_class owner ON owner.oid = dep.refobjid
LEFT JOIN pg_namespace owner_n ON owner_n.oid = owner.relnamespace
LEFT JOIN pg_attribute owner_col ON owner_col.attrelid = dep.refobjid AND owner_col.attnum = dep.refobjsubid
WHERE {_USER_NAMESPACE} AND {_not_extension_member("pg_class", "c.oid")}
ORDER BY n.nspname, c.relname
"""

ENUMS = f"""
SELECT
    t.oid AS type_oid,
    n.nspname AS schema,
    t.typname AS name,
    array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
WHERE {_USER_NAMESPACE} AND {_not_extension_member("pg_type", "t.oid")}
GROUP BY t.oid, n.nspname, t.typname
ORDER BY n.nspname, t.typname
"""

VIEWS = f"""
SELECT
    n.nspname AS schema,
    c.relname AS name,
    c.relkind = 'm' AS materialized,
    pg_get_viewdef(c.oid, true) AS definition
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND {_USER_NAMESPACE} AND {_not_extension_member("pg_class", "c.oid")}
  AND {_unlocked("c.oid")}
  -- pg_get_viewdef also opens every relation the view reads
  AND NOT EXISTS (
      SELECT 1 FROM pg_rewrite r
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
      WHERE r.ev_class = c.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid IN {_LOCKED}
  )
ORDER BY n.nspname, c.relname
"""

# Settings dbexpert itself sets on its connection; the server's own values are not visible to a
# session that overrode them, so they are left out rather than reported wrongly.
SESSION_OVERRIDES = (
    "default_transaction_read_only",
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "application_name",
)


@dataclass(frozen=True, slots=True)
class CatalogQueries:
    """The queries for one server version, in the order introspection runs them."""

    server: str
    tables: str
    columns: str
    constraints: str
    indexes: str
    sequences: str
    enums: str
    views: str

    def named(self) -> Mapping[str, str]:
        return MappingProxyType(
            {
                "server": self.server,
                "tables": self.tables,
                "columns": self.columns,
                "constraints": self.constraints,
                "indexes": self.indexes,
                "sequences": self.sequences,
                "enums": self.enums,
                "views": self.views,
            }
        )


def catalog_queries(server_version_num: int) -> CatalogQueries:
    """The catalog queries for a server (``server_version_num``, e.g. 150004).

    PostgreSQL 16 added the time of the last sequential and index scan to the statistics views;
    older servers report NULL there.
    """
    has_last_scan = server_version_num >= 160000
    return CatalogQueries(
        server=SERVER,
        tables=_TABLES.format(
            last_seq_scan="s.last_seq_scan" if has_last_scan else "NULL::timestamptz",
            user_table=_USER_TABLE,
            locked=_LOCKED,
        ),
        columns=COLUMNS,
        constraints=CONSTRAINTS,
        indexes=_INDEXES.format(last_idx_scan="s.last_idx_scan" if has_last_scan else "NULL::timestamptz"),
        sequences=SEQUENCES,
        enums=ENUMS,
        views=VIEWS,
    )


# Bounded probes. Identifiers are composed with psycopg.sql by the caller, never by formatting.
SAMPLE_VALUES = "SELECT {column}::text AS value FROM {table} WHERE {column} IS NOT NULL LIMIT %(limit)s"

# Take up to `limit` child rows with a complete key, then anti-join them against the parent.
COUNT_ORPHANS = """
WITH sample AS (
    SELECT {child_columns} FROM {child} WHERE {child_not_null} LIMIT %(limit)s
)
SELECT
    count(*) AS checked,
    count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE {join_condition})) AS orphans
FROM sample s
"""
