"""What a verified restore costs next to a bare one, on a PostgreSQL database of ``--size-mb``.

Builds a database of about ``--size-mb`` MB with ``generate_series`` (a throwaway database, dropped
at the end with everything else this script creates), dumps it once with ``pg_dump -Fc``, then times:

1. the bare restore: ``pg_dump -Fc`` + ``createdb`` + ``pg_restore`` into a scratch database;
2. the verified restore: ``pg_dump -Fc`` + ``dbexpert backup verify DUMP --against URL`` (which
   restores into its own scratch database, compares every table's rows and checksum, and drops it);
3. the artifact-level check ``backup verify`` runs before restoring: ``read_dump`` of
   ``dbexpert.engines.postgres.dumpfile`` (walks every data block, inflates it, checks the block
   structure and the table-of-contents offsets, counts rows), in this process;
4. for comparison, ``pg_restore -f /dev/null DUMP`` (reads, decompresses and prints every block as
   SQL text, without a server).

What is counted: wall clock, and CPU seconds (user + system) of this process and of every child
process it waited for (``resource.getrusage(RUSAGE_SELF)`` + ``RUSAGE_CHILDREN``: pg_dump,
pg_restore, createdb, the dbexpert process and its pg_restore). The server's own CPU (the restore's
inserts and index builds, the checksum queries) runs in the postmaster's backends, which are not our
children, and is NOT counted: the wall-clock ratio is the one that includes it.

    python benchmarks/backup_verify_cost.py [--size-mb 1024] [--url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from dbexpert.engines.postgres.dumpfile import DumpReading, read_dump
from dbexpert.engines.postgres.restore import client_env, find_program
from dbexpert.engines.url import parse_url

GB = 1024**3
# One row of `events` with its primary key index takes about 148 bytes on disk (measured on PostgreSQL
# 15: 5.65 million rows made an 841 MB database, 7.5 MB of it the empty database).
BYTES_PER_ROW = 148
CHUNK = 500_000

TABLE = """
CREATE TABLE events (
    id bigint PRIMARY KEY,
    account_id int NOT NULL,
    kind text NOT NULL,
    payload text,
    amount numeric(12, 2),
    created_at timestamptz NOT NULL
)
"""
FILL = """
INSERT INTO events
SELECT g, g %% 10007, (ARRAY['click', 'view', 'buy', 'refund'])[g %% 4 + 1],
       md5(g::text) || md5((g * 7)::text), (g %% 100000) / 100.0,
       timestamptz '2026-01-01' + g * interval '1 second'
FROM generate_series(%(start)s, %(stop)s) g
"""


@dataclass(frozen=True, slots=True)
class Cost:
    wall: float
    cpu: float  # this process + waited-for children, user + system


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(work: Callable[[], None]) -> Cost:
    cpu, wall = _cpu(), time.perf_counter()
    work()
    return Cost(time.perf_counter() - wall, _cpu() - cpu)


def _with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + database))


def build(url: str, size_mb: int) -> int:
    """Fill ``events`` until about ``size_mb`` MB; returns pg_database_size."""
    rows = size_mb * 1024**2 // BYTES_PER_ROW
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(TABLE)
        for start in range(1, rows + 1, CHUNK):
            conn.execute(FILL, {"start": start, "stop": min(start + CHUNK - 1, rows)})
        conn.execute("VACUUM ANALYZE events")
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        assert row is not None
        return int(row[0])


def run(*args: str, url: str) -> None:
    subprocess.run(args, env=client_env(parse_url(url)), check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    suffix = uuid.uuid4().hex[:10]
    source_name, bare_name = f"dbx_bench_src_{suffix}", f"dbx_bench_bare_{suffix}"
    source, bare = _with_database(args.url, source_name), _with_database(args.url, bare_name)
    work = Path(tempfile.mkdtemp(prefix="dbx_bench_"))
    dump = work / "events.dump"
    dbexpert = shutil.which("dbexpert") or sys.exit(
        "the dbexpert command is not installed (pip install -e .)"
    )
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{source_name}"')
    try:
        started = time.perf_counter()
        size = build(source, args.size_mb)
        print(
            f"built {source_name}: {size / 1024**2:.0f} MB (pg_database_size) in {time.perf_counter() - started:.1f} s"
        )
        dumped = measure(lambda: run(find_program("pg_dump"), "-Fc", "-f", str(dump), url=source))

        def bare_restore() -> None:
            run(find_program("createdb"), "-T", "template0", bare_name, url=args.url)
            run(find_program("pg_restore"), "--exit-on-error", "-d", bare_name, str(dump), url=bare)

        restored = measure(bare_restore)
        report = work / "verify.json"
        verify_cmd = [
            dbexpert,
            "backup",
            "verify",
            str(dump),
            "--against",
            source,
            "-f",
            "json",
            "-o",
            str(report),
        ]
        verified = measure(lambda: run(*verify_cmd, url=source))
        result = json.loads(report.read_text())
        dump_bytes = dump.stat().st_size
        readings: list[DumpReading] = []
        archive_check = measure(lambda: readings.append(read_dump(dump)))
        read_all = measure(lambda: run(find_program("pg_restore"), "-f", "/dev/null", str(dump), url=source))
    finally:
        with psycopg.connect(args.url, autocommit=True) as admin:
            for name in (source_name, bare_name):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)

    gb = size / GB
    bare_cost = Cost(dumped.wall + restored.wall, dumped.cpu + restored.cpu)
    verified_cost = Cost(dumped.wall + verified.wall, dumped.cpu + verified.cpu)
    print(
        f"dump: {dump_bytes / 1024**2:.0f} MB (-Fc); verify restored {result['summary']['restored_bytes']} bytes, "
        f"result {result['result']}"
    )
    print(f"{'':34} {'wall s':>8} {'CPU s':>8}")
    for label, cost in (
        ("pg_dump -Fc", dumped),
        ("createdb + pg_restore", restored),
        ("dbexpert backup verify --against", verified),
        ("bare: dump + restore", bare_cost),
        ("verified: dump + backup verify", verified_cost),
        ("archive check (read_dump)", archive_check),
        ("pg_restore -f /dev/null (read all)", read_all),
    ):
        print(f"{label:34} {cost.wall:8.2f} {cost.cpu:8.2f}")
    print(
        f"verified / bare, wall (includes the server's work): {verified_cost.wall / bare_cost.wall:.2f}x (goal <= 2x)"
    )
    print(f"verified / bare, client CPU (server CPU not counted): {verified_cost.cpu / bare_cost.cpu:.2f}x")
    reading = readings[0]
    print(
        f"archive check: {'ok' if reading.ok else 'DAMAGED'}, {reading.rows} rows,"
        f" {reading.data_bytes / 1024**2:.0f} MB of COPY data inflated"
    )
    print(
        f"artifact-level check (read_dump): {archive_check.cpu / gb:.2f} CPU-s per GB of database (goal <= 1)"
        f" ({archive_check.cpu / (dump_bytes / GB):.2f} per GB of dump file)"
    )
    print(
        f"pg_restore -f /dev/null: {read_all.cpu / gb:.2f} CPU-s per GB of database"
        f" ({read_all.cpu / (dump_bytes / GB):.2f} per GB of dump file)"
    )
    print(f"restore seconds per GB reported by verify: {result['summary']['restore_seconds_per_gb']}")
    print("dropped", source_name, bare_name, "and", work)


if __name__ == "__main__":
    main()
