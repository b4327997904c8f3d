"""A healthy server with a clean database gives no ops findings.

The shared local server keeps autovacuum off and small settings, so ``test_health`` can only check
its findings rule by rule. Here a private cluster (``engines/postgres/cluster``) is configured the
way the health rules ask for this machine — memory settings sized from /proc/meminfo, autovacuum
on, pg_stat_statements preloaded when installed, WAL archived with a timeout, random_page_cost for
SSDs — a small well-formed schema is created, and ``dbexpert audit`` must report nothing from the
health rules.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbexpert.engines.postgres import cluster as pg_cluster
from dbexpert.engines.postgres.scratch import connect
from dbexpert.model import Category, InputError
from dbexpert.rules.registry import Target, registry
from tests.cli.test_cli import run

MB = 1024**2
MAX_CONNECTIONS = 50

SCHEMA = """
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    total numeric(12, 2) NOT NULL CHECK (total >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
INSERT INTO customers (email) SELECT 'customer' || g || '@example.com' FROM generate_series(1, 1000) g;
INSERT INTO orders (customer_id, total) SELECT 1 + g % 1000, g * 0.5 FROM generate_series(1, 5000) g;
"""


def _memory_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no MemTotal in /proc/meminfo")


def healthy_settings(memory: int, preload: bool) -> dict[str, str]:
    """What the health rules recommend for a machine with ``memory`` bytes (PGTune's rules of thumb)."""
    shared = memory // 4 // MB * MB
    work_mem = max(4 * MB, (memory * 3 // 4 - shared) // (3 * MAX_CONNECTIONS) // MB * MB)
    settings = {
        "max_connections": str(MAX_CONNECTIONS),
        "shared_buffers": f"{shared // MB}MB",  # reserved, touched only as it is used
        "effective_cache_size": f"{memory * 3 // 4 // MB}MB",
        "work_mem": f"{work_mem // MB}MB",
        "maintenance_work_mem": f"{-(-min(memory // 32, 1024 * MB) // MB)}MB",
        "max_wal_size": "4GB",
        "random_page_cost": "1.1",
        "autovacuum": "on",
        "track_counts": "on",
        "wal_level": "replica",
        "archive_mode": "on",
        # Run from the data directory: the archive sits beside it in the cluster's private folder.
        "archive_command": "mkdir -p ../wal-archive && test ! -f ../wal-archive/%f && cp %p ../wal-archive/%f",
        "archive_timeout": "60s",
        "fsync": "off",  # a test server: nothing to keep after a crash
    }
    if preload:
        settings["shared_preload_libraries"] = "pg_stat_statements"
    return settings


def _has_pg_stat_statements(bin_dir: Path) -> bool:
    libdir = subprocess.run(
        [str(bin_dir / "pg_config"), "--pkglibdir"], capture_output=True, text=True, check=False
    )
    return (Path(libdir.stdout.strip()) / "pg_stat_statements.so").is_file()


@pytest.fixture(scope="module")
def healthy() -> Iterator[str]:
    """The URL of a clean database on a private, healthily configured server."""
    try:
        bin_dir = pg_cluster.server_bin_dir(15)
    except InputError as exc:
        pytest.skip(str(exc))
    preload = _has_pg_stat_statements(bin_dir)
    with pg_cluster.private_cluster(
        healthy_settings(_memory_bytes(), preload), major=15, listen="127.0.0.1"
    ) as cluster:
        with connect(cluster.url()) as conn:
            conn.execute("CREATE DATABASE shop")
        with connect(cluster.url("shop")) as conn:
            conn.execute(SCHEMA)  # type: ignore[arg-type]
            if preload:
                conn.execute("CREATE EXTENSION pg_stat_statements")
        with connect(cluster.url("shop")) as conn:
            _wait_for_inserts_counted(conn, 6000)
            conn.execute("VACUUM ANALYZE")
        yield str(cluster.url("shop"))


def _wait_for_inserts_counted(conn: Any, rows: int) -> None:
    """A backend reports its row counts to the statistics up to a second later (at exit at the latest):
    an ANALYZE before that would see the inserts counted again afterwards, as changes since it ran."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        row = conn.execute("SELECT coalesce(sum(n_tup_ins), 0) AS n FROM pg_stat_user_tables").fetchone()
        if row["n"] >= rows:
            return
        time.sleep(0.1)
    raise AssertionError("the inserts never reached pg_stat_user_tables")


def test_a_clean_database_on_a_healthy_server_gives_no_ops_findings(healthy: str, tmp_path: Path) -> None:
    (tmp_path / "dbexpert.toml").write_text('select = ["ops", "performance", "safety"]\n')
    result = run("audit", healthy, "--format", "json", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    findings = report["findings"]
    assert report["summary"]["engine"].startswith("postgres 15") and report["summary"]["notes"] == []
    health_rules = {r.name for r in registry() if r.target is Target.HEALTH}
    assert len(health_rules) > 15  # the audit really ran the server checks
    flagged = [
        (f["rule"], f["message"])
        for f in findings
        if f["rule"] in health_rules or f["category"] == Category.OPS.value
    ]
    if not _has_pg_stat_statements(pg_cluster.server_bin_dir(15)):  # true here: it cannot be preloaded
        flagged = [(rule, message) for rule, message in flagged if rule != "pg-stat-statements-missing"]
    assert flagged == []
