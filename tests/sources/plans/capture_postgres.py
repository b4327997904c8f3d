"""How the PostgreSQL plan fixtures ``pg_*.txt`` / ``pg_*.json`` were produced (PostgreSQL 15).

Run ``python -m tests.sources.plans.capture_postgres postgresql://postgres@127.0.0.1:5432/postgres``
to recreate them: it creates a scratch database, loads the tables below, runs each query under
``EXPLAIN (ANALYZE, BUFFERS, SETTINGS)`` in text and in ``FORMAT JSON`` with the listed settings,
writes both variants to ``fixtures/`` and drops the database. Timings differ from run to run; the
plan shapes and the counters the rules read (batches, lossy blocks, heap fetches, workers) do not.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import psycopg

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATABASE = "dbx_capture_plans"

SETUP = """
CREATE TABLE customers AS
  SELECT g AS id, 'customer ' || g AS name, (g % 50) AS region FROM generate_series(1, 20000) g;
ALTER TABLE customers ADD PRIMARY KEY (id);
CREATE TABLE orders AS
  SELECT g AS id, 1 + (g::bigint * 7919 % 20000)::int AS customer_id, (g % 997) * 1.5 AS total,
         (ARRAY['new', 'paid', 'shipped', 'refunded'])[1 + g % 4] AS status
  FROM generate_series(1, 400000) g;
ALTER TABLE orders ADD PRIMARY KEY (id);
CREATE INDEX orders_customer_idx ON orders (customer_id);
-- Never vacuumed: its visibility map stays empty, so index-only scans must visit the heap.
CREATE TABLE events (id int, account_id int, payload text) WITH (autovacuum_enabled = off);
INSERT INTO events SELECT g, g % 5000, repeat('x', 40) FROM generate_series(1, 300000) g;
CREATE INDEX events_account_idx ON events (account_id);
CREATE TABLE events_vacuumed (LIKE events) WITH (autovacuum_enabled = off);
INSERT INTO events_vacuumed SELECT * FROM events;
CREATE INDEX events_vacuumed_account_idx ON events_vacuumed (account_id);
-- Larger than a quarter of shared_buffers (128MB): loads and scans go through a small buffer ring,
-- so its pages are read from outside shared buffers.
CREATE TABLE readings AS
  SELECT g AS id, (g::bigint * 7919 % 1000)::int AS sensor_id, repeat('r', 200) AS raw FROM generate_series(1, 300000) g;
CREATE INDEX readings_sensor_idx ON readings (sensor_id);
ANALYZE;
"""
AFTER_SETUP = "VACUUM ANALYZE events_vacuumed"  # outside a transaction

# name -> (settings, query)
CAPTURES: dict[str, tuple[dict[str, str], str]] = {
    "pg_hash_batches": (
        {"work_mem": "64kB"},
        "SELECT c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 1400",
    ),
    "pg_hash_one_batch": (
        {"work_mem": "16MB"},
        "SELECT c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 1400",
    ),
    "pg_hashagg_disk": (
        {"work_mem": "64kB", "enable_sort": "off", "enable_indexscan": "off", "max_parallel_workers_per_gather": "0"},
        "SELECT customer_id, count(*), sum(total) FROM orders GROUP BY customer_id",
    ),
    "pg_bitmap_lossy": (
        {"work_mem": "64kB", "enable_indexscan": "off", "enable_seqscan": "off"},
        "SELECT id, total FROM orders WHERE customer_id < 2000",
    ),
    "pg_bitmap_exact": (
        {"work_mem": "4MB", "enable_indexscan": "off", "enable_seqscan": "off"},
        "SELECT id, total FROM orders WHERE customer_id < 2000",
    ),
    "pg_index_only_fetches": (
        {"enable_bitmapscan": "off", "enable_seqscan": "off"},
        "SELECT account_id, count(*) FROM events WHERE account_id < 2000 GROUP BY account_id",
    ),
    "pg_index_only_vacuumed": (
        {"enable_bitmapscan": "off", "enable_seqscan": "off"},
        "SELECT account_id, count(*) FROM events_vacuumed WHERE account_id < 2000 GROUP BY account_id",
    ),
    "pg_parallel_not_launched": (
        {
            "max_parallel_workers": "0",
            "max_parallel_workers_per_gather": "2",
            "parallel_setup_cost": "0",
            "parallel_tuple_cost": "0",
        },
        "SELECT status, count(*) FROM orders GROUP BY status",
    ),
    "pg_parallel_launched": (
        {"max_parallel_workers_per_gather": "2", "parallel_setup_cost": "0", "parallel_tuple_cost": "0"},
        "SELECT status, count(*) FROM orders GROUP BY status",
    ),
    "pg_jit_dominates": (
        {"jit": "on", "jit_above_cost": "0", "jit_inline_above_cost": "0", "jit_optimize_above_cost": "0"},
        "SELECT customer_id, sum(total) FROM orders WHERE customer_id BETWEEN 10 AND 12 GROUP BY customer_id",
    ),
    "pg_jit_small": (
        {"jit": "on", "jit_above_cost": "0", "jit_inline_above_cost": "-1", "jit_optimize_above_cost": "-1",
         "max_parallel_workers_per_gather": "0"},
        "SELECT sum(total * 2 + 1), avg(length(status)) FROM orders o1 CROSS JOIN generate_series(1, 3)",
    ),
    "pg_large_offset": ({}, "SELECT id, total FROM orders ORDER BY id LIMIT 20 OFFSET 300000"),
    "pg_keyset": ({}, "SELECT id, total FROM orders WHERE id > 300000 ORDER BY id LIMIT 20"),
    "pg_cache_miss": (
        {"enable_seqscan": "off", "max_parallel_workers_per_gather": "0"},
        "SELECT sensor_id, count(*) FROM readings WHERE sensor_id < 300 GROUP BY sensor_id",
    ),
}


def capture(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    try:
        scratch = psycopg.conninfo.make_conninfo(url, dbname=DATABASE)
        with psycopg.connect(scratch, autocommit=True) as conn:
            conn.execute(SETUP)
            conn.execute(AFTER_SETUP)
            for name, (settings, query) in CAPTURES.items():
                conn.execute("RESET ALL")
                for setting, value in settings.items():
                    conn.execute(f"SET {setting} = '{value}'")
                text = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, SETTINGS) {query}").fetchall()
                (FIXTURES / f"{name}.txt").write_text("\n".join(row[0] for row in text) + "\n")
                data = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) {query}").fetchone()
                assert data is not None
                (FIXTURES / f"{name}.json").write_text(json.dumps(data[0], indent=2) + "\n")
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')


if __name__ == "__main__":
    capture(sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/postgres")
