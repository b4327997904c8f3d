"""Introspect and audit a PostgreSQL database of 1,000 tables, 3,000 indexes and 2,000 foreign keys.

Builds the schema in a throwaway database (dropped at the end), then times
``PostgresSession.introspect()`` (median of several runs, with its round trips) and one
``dbexpert audit URL --format json`` run through the installed command.

    python benchmarks/audit_postgres_1000_tables.py [--url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

import psycopg

from dbexpert.engines import SessionOptions, parse_url
from dbexpert.engines.postgres import PostgresSession

TABLES = 1000
RUNS = 5


def schema_sql(tables: int) -> str:
    """Each table: a primary key and two indexed foreign keys to its two successors (3 indexes, 2 FKs)."""
    creates = [
        f"""CREATE TABLE t{i:04d} (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            a_id bigint, b_id bigint, name text, created_at timestamptz DEFAULT now());
        CREATE INDEX t{i:04d}_a ON t{i:04d} (a_id);
        CREATE INDEX t{i:04d}_b ON t{i:04d} (b_id);"""
        for i in range(tables)
    ]
    # Added after every table exists, so the references can wrap around.
    keys = [
        f"""ALTER TABLE t{i:04d} ADD FOREIGN KEY (a_id) REFERENCES t{(i + 1) % tables:04d} (id),
                                  ADD FOREIGN KEY (b_id) REFERENCES t{(i + 2) % tables:04d} (id);"""
        for i in range(tables)
    ]
    return "\n".join(creates + keys)


def _with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + database))


def time_introspection(url: str) -> tuple[list[float], int, int]:
    """Wall seconds of each run, round trips of one run, and the number of tables seen."""
    seconds: list[float] = []
    round_trips = tables = 0
    for _ in range(RUNS):
        with PostgresSession.open(parse_url(url), SessionOptions()) as session:
            start = time.perf_counter()
            catalog = session.introspect()
            seconds.append(time.perf_counter() - start)
            round_trips, tables = session.round_trips, len(catalog.tables)
    return seconds, round_trips, tables


def time_audit(url: str) -> None:
    command = shutil.which("dbexpert")
    if command is None:
        print("dbexpert audit: the dbexpert command is not on PATH; skipped")
        return
    start = time.perf_counter()
    done = subprocess.run([command, "audit", url, "--format", "json"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    try:
        summary = json.loads(done.stdout)["summary"]
    except (ValueError, KeyError, TypeError):
        message = (done.stderr or done.stdout).strip().splitlines()
        print(
            f"dbexpert audit: exit {done.returncode}, no JSON summary ({message[-1] if message else 'no output'})"
        )
        return
    findings = json.loads(done.stdout)["findings"]
    print(
        f"dbexpert audit --format json: {elapsed:.2f} s wall, exit {done.returncode}, "
        f"round trips {summary.get('round_trips', 'n/a')}, findings {len(findings)}"
    )
    for rule, count in Counter(f["rule"] for f in findings).most_common():
        print(f"  {count:>6}  {rule}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=os.environ.get("DBEXPERT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    admin_url = parser.parse_args().url
    database = f"dbx_bench_{uuid.uuid4().hex[:12]}"
    url = _with_database(admin_url, database)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        start = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(schema_sql(TABLES))
            conn.execute("ANALYZE")
            indexes, fks = conn.execute(
                "SELECT (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                "         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'),"
                "       (SELECT count(*) FROM pg_constraint WHERE contype = 'f')"
            ).fetchone()
        print(
            f"built {TABLES} tables, {indexes} indexes, {fks} foreign keys in {time.perf_counter() - start:.1f} s"
        )

        seconds, round_trips, seen = time_introspection(url)
        print(
            f"introspect(): median {statistics.median(seconds):.3f} s over {RUNS} runs "
            f"(min {min(seconds):.3f}, max {max(seconds):.3f}), {round_trips} round trips, {seen} tables"
        )
        time_audit(url)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
