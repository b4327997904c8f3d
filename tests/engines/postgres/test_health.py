"""PostgreSQL health reading without a server: rows -> snapshot, query choice by version, machine facts.

The rows below were captured from PostgreSQL 15 (``health_queries`` run by hand against the local
server with one idle-in-transaction session open); values are as psycopg returns them.
"""

from __future__ import annotations

import datetime
import decimal
import json
from pathlib import Path

from dbexpert.engines.postgres.health import (
    build_snapshot,
    is_local,
    machine_facts,
    meminfo_total_bytes,
    read_health,
    select_queries,
    storage_kind,
)
from dbexpert.engines.postgres.health_queries import health_queries
from dbexpert.engines.url import parse_url
from dbexpert.model import DbexpertError, Engine, Version
from dbexpert.sources.health import snapshot_from_json, snapshot_to_json

UTC = datetime.UTC
SERVER = {
    "server_version_num": 150020,
    "server_version": "15.20 (Debian 15.20-0+deb12u1)",
    "database": "postgres",
    "database_bytes": 7708007,
    "in_recovery": False,
    "uptime_seconds": 2559,
    "pg_stat_statements_version": None,
}
SETTINGS = [
    {"name": "autovacuum", "value": "off"},
    {"name": "max_connections", "value": "100"},
    {"name": "shared_buffers", "value": "128MB"},
    {"name": "superuser_reserved_connections", "value": "3"},
]
RESULTS = {
    "connections": [{"total": 2, "active": 1, "idle": 0, "idle_in_transaction": 1}],
    "sessions": [
        {
            "pid": 31337,
            "user": "postgres",
            "application_name": "",
            "client_addr": "127.0.0.1",
            "database": "postgres",
            "state": "idle in transaction",
            "wait_event_type": "Client",
            "wait_event": "ClientRead",
            "query_start": datetime.datetime(2026, 11, 24, 12, 10, 44, 948179, tzinfo=UTC),
            "xact_start": datetime.datetime(2026, 11, 24, 12, 10, 44, 948179, tzinfo=UTC),
            "query_seconds": decimal.Decimal("75.3"),
            "xact_seconds": decimal.Decimal("75.3"),
            "state_seconds": decimal.Decimal("75.0"),
            "query": "UPDATE t SET v = 1",
        }
    ],
    "checkpoints": [
        {"timed": 3, "requested": 272, "stats_reset": datetime.datetime(2026, 11, 24, 12, 10, 44, tzinfo=UTC)}
    ],
    "replication_slots": [],
}


def test_rows_become_a_json_safe_snapshot():
    facts = {"machine_memory_bytes": 25276502016}
    snapshot = build_snapshot(SERVER, SETTINGS, RESULTS, {"blocked": "no privilege"}, facts, "postgresql://x")
    assert snapshot.engine is Engine.POSTGRES and snapshot.version == Version(15, 20)
    assert snapshot.setting("shared_buffers") == "128MB"
    [session] = snapshot.rows("sessions")
    assert session["state_seconds"] == 75 and isinstance(session["query_seconds"], float)
    assert session["query_start"] == "2026-11-24T12:10:44.948179+00:00"
    assert snapshot.facts["pg_stat_statements_installed"] is False
    assert snapshot.facts["machine_memory_bytes"] == 25276502016
    assert snapshot.unavailable == {"blocked": "no privilege"}
    assert snapshot.has("replication_slots") and not snapshot.rows("replication_slots")
    # What `audit --format json` carries reads back as the same snapshot.
    again = snapshot_from_json(json.dumps(snapshot_to_json(snapshot)))
    assert again.results == snapshot.results and again.facts == snapshot.facts


def test_queries_follow_the_server_version():
    for version in (120000, 130000, 160000, 170000):
        queries = health_queries(version)
        assert ("pg_stat_checkpointer" in queries["checkpoints"]) is (version >= 170000)
        assert ("pg_stat_bgwriter" in queries["checkpoints"]) is (version < 170000)
        assert ("NULL::text AS wal_status" in queries["replication_slots"]) is (version < 130000)


def test_replication_query_follows_the_role():
    primary = select_queries(150000, in_recovery=False)
    standby = select_queries(150000, in_recovery=True)
    assert "replication" in primary and "standby" not in primary
    assert "standby" in standby and "replication" not in standby


def test_machine_facts_are_read_from_proc_and_sys(tmp_path: Path):
    proc, block = tmp_path / "proc", tmp_path / "block"
    proc.mkdir()
    (proc / "meminfo").write_text("MemTotal:       16384000 kB\nMemFree:  1 kB\n")
    for name, rotational in (("nvme0n1", "0"), ("loop0", "1"), ("zram0", "0")):
        (block / name / "queue").mkdir(parents=True)
        (block / name / "queue" / "rotational").write_text(rotational + "\n")
    facts = machine_facts(proc, block)
    assert facts["machine_memory_bytes"] == 16384000 * 1024
    assert facts["storage"] == "ssd"  # loop and zram devices are not disks
    (block / "sda" / "queue").mkdir(parents=True)
    (block / "sda" / "queue" / "rotational").write_text("1\n")
    assert storage_kind(block) == "mixed"
    assert machine_facts(tmp_path / "none", tmp_path / "none") == {}
    assert meminfo_total_bytes(proc / "missing") is None


def test_only_local_servers_lend_this_machine_s_facts():
    assert is_local(parse_url("postgresql://u@127.0.0.1/db"))
    assert is_local(parse_url("postgresql://u@localhost:5433/db"))
    assert not is_local(parse_url("postgresql://u@db.example.com/db"))


class _Session:
    """Answers the health queries with captured rows; one query fails as for a role without privilege."""

    url = parse_url("postgresql://app@db.example.com/shop")
    server_version_num = 150020

    def __init__(self) -> None:
        self.labels: list[str] = []

    def fetch(self, label: str, query: str, params: object = None) -> list[dict[str, object]]:
        self.labels.append(label)
        if label == "health server":
            return [dict(SERVER)]
        if label == "health settings":
            return [dict(row) for row in SETTINGS]
        if label == "health blocked":
            raise DbexpertError(
                "health blocked query failed: permission denied for function pg_blocking_pids"
            )
        return [dict(row) for row in RESULTS.get(label.removeprefix("health "), [])]


def test_a_query_the_role_may_not_run_is_unavailable_not_fatal():
    session = _Session()
    snapshot = read_health(session)
    assert "permission denied" in snapshot.unavailable["blocked"] and not snapshot.has("blocked")
    assert snapshot.rows("checkpoints")[0]["requested"] == 272
    assert "health standby" not in session.labels  # a primary: pg_stat_replication instead
    assert "machine_memory_bytes" not in snapshot.facts  # a remote server: not this machine's memory
    assert snapshot.source == "postgresql://app@db.example.com/shop"
