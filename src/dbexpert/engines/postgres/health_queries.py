"""Named, read-only health queries for PostgreSQL 12-17, in the spirit of PgHero and pg-extras.

Each query reads catalog views and statistics only (no locks beyond the usual AccessShare on
system views, no writes). Thresholds are not applied here: the rules apply them, so the
snapshot keeps the rows they judged as evidence. The few views that changed between versions
(``pg_stat_checkpointer`` in 17, ``pg_replication_slots.wal_status`` in 13) are chosen by
:func:`health_queries` from ``server_version_num``, never probed for.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# The settings the ops rules read, as SHOW prints them ("128MB", "4", "on").
SETTINGS = (
    "autovacuum",
    "autovacuum_analyze_scale_factor",
    "autovacuum_analyze_threshold",
    "autovacuum_freeze_max_age",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_threshold",
    "block_size",
    "checkpoint_timeout",
    "effective_cache_size",
    "idle_in_transaction_session_timeout",
    "maintenance_work_mem",
    "max_connections",
    "max_slot_wal_keep_size",
    "max_wal_size",
    "random_page_cost",
    "reserved_connections",
    "shared_buffers",
    "shared_preload_libraries",
    "superuser_reserved_connections",
    "track_counts",
    "wal_level",
    "work_mem",
)

SETTINGS_SQL = """
SELECT name, current_setting(name) AS value
FROM pg_settings
WHERE name = ANY(%(names)s)
"""

SERVER = """
SELECT
    current_setting('server_version_num')::int AS server_version_num,
    current_setting('server_version') AS server_version,
    current_database() AS database,
    pg_database_size(current_database()) AS database_bytes,
    pg_is_in_recovery() AS in_recovery,
    extract(epoch FROM now() - pg_postmaster_start_time())::bigint AS uptime_seconds,
    (SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements') AS pg_stat_statements_version
"""

# Client sessions by state: connections vs max_connections.
CONNECTIONS = """
SELECT
    count(*) AS total,
    count(*) FILTER (WHERE state = 'active') AS active,
    count(*) FILTER (WHERE state = 'idle') AS idle,
    count(*) FILTER (WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')) AS idle_in_transaction
FROM pg_stat_activity
WHERE backend_type = 'client backend'
"""

# Every client session of the audited database that is not idle, with how long its query,
# transaction and state lasted. Other databases' sessions are their own audits' business.
SESSIONS = """
SELECT
    pid,
    usename AS user,
    application_name,
    host(client_addr) AS client_addr,
    datname AS database,
    state,
    wait_event_type,
    wait_event,
    query_start,
    xact_start,
    round(extract(epoch FROM now() - query_start)::numeric, 1) AS query_seconds,
    round(extract(epoch FROM now() - xact_start)::numeric, 1) AS xact_seconds,
    round(extract(epoch FROM now() - state_change)::numeric, 1) AS state_seconds,
    left(query, 500) AS query
FROM pg_stat_activity
WHERE backend_type = 'client backend'
  AND state IS NOT NULL AND state <> 'idle'
  AND pid <> pg_backend_pid()
  AND datname = current_database()
ORDER BY xact_start NULLS LAST
LIMIT 200
"""

# Sessions of the audited database waiting on a lock, one row per (blocked, blocker) pair, with
# both queries (the blocker may be connected to any database, e.g. holding a shared catalog lock).
BLOCKED = """
SELECT
    blocked.pid AS blocked_pid,
    blocked.usename AS blocked_user,
    blocked.application_name AS blocked_application,
    blocked.wait_event_type,
    round(extract(epoch FROM now() - blocked.query_start)::numeric, 1) AS blocked_seconds,
    left(blocked.query, 500) AS blocked_query,
    blocker.pid AS blocking_pid,
    blocker.usename AS blocking_user,
    blocker.application_name AS blocking_application,
    blocker.state AS blocking_state,
    round(extract(epoch FROM now() - blocker.xact_start)::numeric, 1) AS blocking_xact_seconds,
    left(blocker.query, 500) AS blocking_query
FROM pg_stat_activity blocked
CROSS JOIN LATERAL unnest(pg_blocking_pids(blocked.pid)) AS b(pid)
JOIN pg_stat_activity blocker ON blocker.pid = b.pid
WHERE blocked.wait_event_type = 'Lock' AND blocked.datname = current_database()
ORDER BY blocked.query_start
LIMIT 200
"""

# Buffer cache hits of user tables and their indexes since the statistics were reset.
CACHE_HIT = """
SELECT
    coalesce(sum(heap_blks_hit), 0)::bigint AS heap_hit,
    coalesce(sum(heap_blks_read), 0)::bigint AS heap_read,
    coalesce(sum(idx_blks_hit), 0)::bigint AS index_hit,
    coalesce(sum(idx_blks_read), 0)::bigint AS index_read
FROM pg_statio_user_tables
"""

# Dead tuples and modifications since the last analyze, with per-table autovacuum overrides.
VACUUM = """
SELECT
    s.schemaname AS schema,
    s.relname AS table,
    c.reltuples::bigint AS reltuples,
    s.n_live_tup AS live_tuples,
    s.n_dead_tup AS dead_tuples,
    s.n_mod_since_analyze AS modified_since_analyze,
    s.last_vacuum,
    s.last_autovacuum,
    s.last_analyze,
    s.last_autoanalyze,
    c.reloptions
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
WHERE s.n_dead_tup > 0 OR s.n_mod_since_analyze > 0
ORDER BY s.n_dead_tup DESC
LIMIT 500
"""

# Oldest unfrozen transaction ids: of this database's tables, and of every database.
WRAPAROUND_TABLES = """
SELECT
    n.nspname AS schema,
    c.relname AS table,
    age(c.relfrozenxid) AS xid_age,
    pg_table_size(c.oid) AS table_bytes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm', 't') AND c.relfrozenxid <> '0'
ORDER BY age(c.relfrozenxid) DESC
LIMIT 20
"""

WRAPAROUND_DATABASES = """
SELECT datname AS database, age(datfrozenxid) AS xid_age
FROM pg_database
WHERE datallowconn
ORDER BY age(datfrozenxid) DESC
"""

# Table bloat: the statistics-based estimate of ioguix/pgsql-bloat-estimation (also used by
# pg-extras and check_pgactivity). An estimate from pg_stats, not a measurement (pgstattuple).
TABLE_BLOAT = """
SELECT schema, "table", bs * tblpages AS real_bytes,
    CASE WHEN tblpages - est_tblpages_ff > 0 THEN (tblpages - est_tblpages_ff) * bs ELSE 0 END AS bloat_bytes,
    CASE WHEN tblpages > 0 AND tblpages - est_tblpages_ff > 0
        THEN round((100 * (tblpages - est_tblpages_ff) / tblpages)::numeric, 1) ELSE 0 END AS bloat_pct,
    fillfactor, is_na
FROM (
    SELECT ceil(reltuples / ((bs - page_hdr) * fillfactor / (tpl_size * 100))) + ceil(toasttuples / 4)
            AS est_tblpages_ff,
        tblpages, fillfactor, bs, schema, "table", is_na
    FROM (
        SELECT (4 + tpl_hdr_size + tpl_data_size + (2 * ma)
                - CASE WHEN tpl_hdr_size % ma = 0 THEN ma ELSE tpl_hdr_size % ma END
                - CASE WHEN ceil(tpl_data_size)::int % ma = 0 THEN ma ELSE ceil(tpl_data_size)::int % ma END
            ) AS tpl_size,
            heappages + toastpages AS tblpages, reltuples, toasttuples, bs, page_hdr, schema, "table",
            fillfactor, is_na
        FROM (
            SELECT tbl.oid AS tblid, ns.nspname AS schema, tbl.relname AS "table", tbl.reltuples,
                tbl.relpages AS heappages, coalesce(toast.relpages, 0) AS toastpages,
                coalesce(toast.reltuples, 0) AS toasttuples,
                coalesce(substring(array_to_string(tbl.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::smallint, 100)
                    AS fillfactor,
                current_setting('block_size')::numeric AS bs,
                CASE WHEN version() ~ 'mingw32|64-bit|x86_64|ppc64|ia64|amd64|aarch64' THEN 8 ELSE 4 END AS ma,
                24 AS page_hdr,
                23 + CASE WHEN max(coalesce(s.null_frac, 0)) > 0 THEN (7 + count(s.attname)) / 8 ELSE 0::int END
                    AS tpl_hdr_size,
                sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)) AS tpl_data_size,
                bool_or(att.atttypid = 'pg_catalog.name'::regtype)
                    OR sum(CASE WHEN att.attnum > 0 THEN 1 ELSE 0 END) <> count(s.attname) AS is_na
            FROM pg_attribute att
            JOIN pg_class tbl ON att.attrelid = tbl.oid
            JOIN pg_namespace ns ON ns.oid = tbl.relnamespace
            LEFT JOIN pg_stats s ON s.schemaname = ns.nspname AND s.tablename = tbl.relname
                AND s.inherited = false AND s.attname = att.attname
            LEFT JOIN pg_class toast ON tbl.reltoastrelid = toast.oid
            WHERE NOT att.attisdropped AND att.attnum > 0 AND tbl.relkind IN ('r', 'm') AND tbl.relpages > 0
              AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_toast'
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
        ) AS s
    ) AS s2
) AS s3
WHERE tblpages - est_tblpages_ff > 0
ORDER BY bloat_bytes DESC
LIMIT 50
"""

# B-tree index bloat: the same project's statistics-based estimate for B-tree indexes.
INDEX_BLOAT = """
SELECT nspname AS schema, tblname AS "table", idxname AS index,
    bs * relpages::bigint AS real_bytes,
    CASE WHEN relpages > est_pages_ff THEN (bs * (relpages - est_pages_ff))::bigint ELSE 0 END AS bloat_bytes,
    round((100 * (relpages - est_pages_ff)::float / relpages)::numeric, 1) AS bloat_pct,
    fillfactor, is_na
FROM (
    SELECT coalesce(1 + ceil(reltuples / floor((bs - pageopqdata - pagehdr) * fillfactor
                / (100 * (4 + nulldatahdrwidth)::float))), 0) AS est_pages_ff,
        bs, nspname, tblname, idxname, relpages, fillfactor, is_na
    FROM (
        SELECT maxalign, bs, nspname, tblname, idxname, reltuples, relpages, fillfactor,
            (index_tuple_hdr_bm + maxalign
                - CASE WHEN index_tuple_hdr_bm % maxalign = 0 THEN maxalign ELSE index_tuple_hdr_bm % maxalign END
                + nulldatawidth + maxalign
                - CASE WHEN nulldatawidth = 0 THEN 0
                       WHEN nulldatawidth::integer % maxalign = 0 THEN maxalign
                       ELSE nulldatawidth::integer % maxalign END
            )::numeric AS nulldatahdrwidth,
            pagehdr, pageopqdata, is_na
        FROM (
            SELECT n.nspname, i.tblname, i.idxname, i.reltuples, i.relpages, i.idxoid, i.fillfactor,
                current_setting('block_size')::numeric AS bs,
                CASE WHEN version() ~ 'mingw32|64-bit|x86_64|ppc64|ia64|amd64|aarch64' THEN 8 ELSE 4 END AS maxalign,
                24 AS pagehdr,
                16 AS pageopqdata,
                CASE WHEN max(coalesce(s.null_frac, 0)) = 0 THEN 8 ELSE 8 + ((32 + 8 - 1) / 8) END
                    AS index_tuple_hdr_bm,
                sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 1024)) AS nulldatawidth,
                max(CASE WHEN i.atttypid = 'pg_catalog.name'::regtype THEN 1 ELSE 0 END) > 0 AS is_na
            FROM (
                SELECT ct.relname AS tblname, ct.relnamespace, ic.idxname, ic.attpos, ic.reltuples, ic.relpages,
                    ic.tbloid, ic.idxoid, ic.fillfactor,
                    coalesce(a1.attname, a2.attname) AS attname,
                    coalesce(a1.atttypid, a2.atttypid) AS atttypid,
                    CASE WHEN a1.attnum IS NULL THEN ic.idxname ELSE ct.relname END AS attrelname
                FROM (
                    SELECT idxname, reltuples, relpages, tbloid, idxoid, fillfactor, indkey,
                        generate_series(1, indnatts) AS attpos
                    FROM (
                        SELECT ci.relname AS idxname, ci.reltuples, ci.relpages, i.indrelid AS tbloid,
                            i.indexrelid AS idxoid,
                            coalesce(substring(array_to_string(ci.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::smallint,
                                90) AS fillfactor,
                            i.indnatts,
                            string_to_array(textin(int2vectorout(i.indkey)), ' ')::int[] AS indkey
                        FROM pg_index i
                        JOIN pg_class ci ON ci.oid = i.indexrelid
                        WHERE ci.relam = (SELECT oid FROM pg_am WHERE amname = 'btree') AND ci.relpages > 0
                    ) AS idx_data
                ) AS ic
                JOIN pg_class ct ON ct.oid = ic.tbloid
                LEFT JOIN pg_attribute a1 ON ic.indkey[ic.attpos] <> 0 AND a1.attrelid = ic.tbloid
                    AND a1.attnum = ic.indkey[ic.attpos]
                LEFT JOIN pg_attribute a2 ON ic.indkey[ic.attpos] = 0 AND a2.attrelid = ic.idxoid
                    AND a2.attnum = ic.attpos
            ) i
            JOIN pg_namespace n ON n.oid = i.relnamespace
            JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = i.attrelname AND s.attname = i.attname
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
            GROUP BY 1, 2, 3, 4, 5, 6, 7
        ) AS rows_data_stats
    ) AS rows_hdr_pdg_stats
) AS relation_stats
WHERE relpages > est_pages_ff
ORDER BY bloat_bytes DESC
LIMIT 50
"""

# Streaming replicas of this primary and how far behind each one is.
REPLICATION = """
SELECT
    application_name,
    host(client_addr) AS client_addr,
    state,
    sync_state,
    pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS replay_lag_bytes,
    round(extract(epoch FROM replay_lag)::numeric, 1) AS replay_lag_seconds
FROM pg_stat_replication
"""

# On a standby: how old the last replayed transaction is (NULL when nothing was replayed yet).
STANDBY = """
SELECT
    round(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::numeric, 1) AS replay_lag_seconds,
    pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AS caught_up
"""

_SLOTS_COLUMNS = """
    slot_name,
    slot_type,
    plugin,
    database,
    active,
    active_pid,
    CASE WHEN pg_is_in_recovery() THEN NULL
         ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint END AS retained_bytes"""

SLOTS_12 = f"SELECT {_SLOTS_COLUMNS}, NULL::text AS wal_status\nFROM pg_replication_slots"
SLOTS_13 = f"SELECT {_SLOTS_COLUMNS}, wal_status\nFROM pg_replication_slots"

# Checkpoints started by the timer vs requested (WAL filled max_wal_size, or CHECKPOINT).
CHECKPOINTS_12 = """
SELECT checkpoints_timed AS timed, checkpoints_req AS requested, stats_reset
FROM pg_stat_bgwriter
"""
CHECKPOINTS_17 = """
SELECT num_timed AS timed, num_requested AS requested, stats_reset
FROM pg_stat_checkpointer
"""


def health_queries(server_version_num: int) -> Mapping[str, str]:
    """The result-set queries for a server version, by the name the rules read them under.

    Replication: ``replication`` on a primary, ``standby`` on a standby; the reader picks by
    ``pg_is_in_recovery()``, so both are listed here.
    """
    queries = {
        "connections": CONNECTIONS,
        "sessions": SESSIONS,
        "blocked": BLOCKED,
        "cache_hit": CACHE_HIT,
        "vacuum": VACUUM,
        "wraparound_tables": WRAPAROUND_TABLES,
        "wraparound_databases": WRAPAROUND_DATABASES,
        "table_bloat": TABLE_BLOAT,
        "index_bloat": INDEX_BLOAT,
        "replication": REPLICATION,
        "standby": STANDBY,
        "replication_slots": SLOTS_13 if server_version_num >= 130000 else SLOTS_12,
        "checkpoints": CHECKPOINTS_17 if server_version_num >= 170000 else CHECKPOINTS_12,
    }
    return MappingProxyType(queries)
