"""`dbexpert audit URL` on the local PostgreSQL server reports real ops conditions created here:
an idle transaction, a lock wait, dead tuples, bloat, an inactive replication slot; and a fresh
database reports only what is really true of this server's configuration."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbexpert.api.audit import audit
from dbexpert.api.config import Config
from dbexpert.engines import connect, read_health
from dbexpert.model import Finding
from tests.cli.test_cli import run
from tests.conftest import POSTGRES_URL, pg_execute

pytestmark = pytest.mark.postgres

# Thresholds lowered so the conditions show within seconds rather than minutes.
FAST = {
    "idle-in-transaction": {"min_seconds": 1},
    "blocked-query": {"min_seconds": 1},
    "long-running-query": {"min_seconds": 1},
}


def _audit(url: str, **thresholds: dict[str, Any]) -> list[Finding]:
    return list(audit([url], Config(thresholds={**FAST, **thresholds})).findings)


def _rule(findings: list[Finding], name: str) -> list[Finding]:
    return [f for f in findings if f.rule == name]


@pytest.fixture
def holder(pg_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A second connection that will hold a transaction open."""
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS accounts (id int PRIMARY KEY, balance int)")
        conn.execute("INSERT INTO accounts VALUES (1, 0) ON CONFLICT DO NOTHING")
        conn.commit()
        yield conn
        conn.rollback()


def test_idle_transaction_and_the_query_it_blocks_are_reported(pg_url: str, holder: psycopg.Connection[Any]):
    holder.execute("UPDATE accounts SET balance = 10 WHERE id = 1")  # now idle in transaction
    holder_pid = holder.info.backend_pid
    waiter = psycopg.connect(pg_url, autocommit=True)
    waiter_pid = waiter.info.backend_pid
    blocked = threading.Thread(
        target=lambda: _swallow(waiter, "UPDATE accounts SET balance = 20 WHERE id = 1"), daemon=True
    )
    blocked.start()
    try:
        time.sleep(1.5)
        findings = _audit(pg_url)
        [idle] = [f for f in _rule(findings, "idle-in-transaction") if f.evidence["pid"] == holder_pid]
        assert f"SELECT pg_terminate_backend({holder_pid});" in (idle.fix.sql or "")
        assert idle.evidence["query"].startswith("UPDATE accounts SET balance = 10")
        [wait] = _rule(findings, "blocked-query")
        assert wait.location.object == f"pid {waiter_pid}"
        assert [b["blocking_pid"] for b in wait.evidence["blockers"]] == [holder_pid]
        assert wait.evidence["blockers"][0]["blocking_query"].startswith("UPDATE accounts SET balance = 10")
        # The waiting UPDATE is an active query too, running (waiting) for over a second.
        assert any(f.evidence["pid"] == waiter_pid for f in _rule(findings, "long-running-query"))
    finally:
        holder.rollback()
        blocked.join(timeout=10)
        waiter.close()


def _swallow(conn: psycopg.Connection[Any], sql: str) -> None:
    try:
        conn.execute(sql)  # type: ignore[arg-type]
    except psycopg.Error:
        pass


def test_dead_tuples_stale_statistics_and_bloat_are_reported(pg_url: str):
    pg_execute(
        pg_url,
        "CREATE TABLE events (id int PRIMARY KEY, payload text) WITH (autovacuum_enabled = false);"
        "INSERT INTO events SELECT g, repeat('x', 80) FROM generate_series(1, 100000) g;"
        "DELETE FROM events WHERE id % 10 <> 0;",
    )
    findings = _audit(pg_url)
    [vacuum] = _rule(findings, "table-needs-vacuum")
    assert vacuum.evidence["dead_tuples"] == 90000 and "disabled on this table" in vacuum.message
    assert "VACUUM (ANALYZE, VERBOSE) events;" in (vacuum.fix.sql or "")
    assert "ALTER TABLE events RESET (autovacuum_enabled);" in (vacuum.fix.sql or "")
    [analyze] = _rule(findings, "table-needs-analyze")
    assert analyze.fix is not None and analyze.fix.sql == "ANALYZE events;"
    # After VACUUM the space is reusable but still there: the estimate sees it (pages kept, rows gone).
    pg_execute(pg_url, "VACUUM ANALYZE events")
    small = {"min_bloat_bytes": 1024**2, "min_ratio": 0.5}
    findings = _audit(pg_url, **{"table-bloat": small, "index-bloat": small})
    assert not _rule(findings, "table-needs-vacuum") and not _rule(findings, "table-needs-analyze")
    [table] = _rule(findings, "table-bloat")
    assert table.evidence["bloat_pct"] > 80 and table.evidence["real_bytes"] > 10 * 1024**2
    [index] = _rule(findings, "index-bloat")
    assert index.fix is not None and index.fix.sql == "REINDEX INDEX CONCURRENTLY events_pkey;"


def _slot(kind: str) -> Iterator[str]:
    name = f"dbx_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        if kind == "logical":
            admin.execute("SELECT pg_create_logical_replication_slot(%s, 'test_decoding')", (name,))
        else:
            admin.execute("SELECT pg_create_physical_replication_slot(%s, true)", (name,))
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute("SELECT pg_drop_replication_slot(%s)", (name,))


def _wal_level() -> str:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        row = admin.execute("SHOW wal_level").fetchone()
    return str(row[0]) if row else "minimal"


@pytest.mark.parametrize("kind", ["physical", "logical"])
def test_inactive_replication_slot_is_reported_with_drop(pg_url: str, kind: str):
    level = _wal_level()
    if level == "minimal" or (kind == "logical" and level != "logical"):
        pytest.skip(f"wal_level is {level} on this server: a {kind} slot cannot be created")
    for name in _slot(kind):
        findings = _audit(pg_url)
        [slot] = [f for f in _rule(findings, "inactive-replication-slot") if f.evidence["slot_name"] == name]
        assert f"SELECT pg_drop_replication_slot('{name}');" in (slot.fix.sql or "")
        assert slot.evidence["slot_type"] == kind and slot.evidence["retained_bytes"] >= 0


def test_fresh_database_reports_only_true_facts_of_this_server(pg_url: str, tmp_path: Path):
    (tmp_path / "dbexpert.toml").write_text('select = ["ops", "performance", "safety"]\n')
    result = run("audit", pg_url, "--format", "json", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    rules = {f["rule"] for f in findings}
    for condition in (
        "idle-in-transaction",
        "blocked-query",
        "long-running-query",
        "table-needs-vacuum",
        "table-needs-analyze",
        "table-bloat",
        "index-bloat",
        "transaction-id-wraparound",
        "replication-lag",
    ):
        assert condition not in rules, condition
    with connect(pg_url) as session:
        snapshot = read_health(session)
    settings = snapshot.settings
    assert ("autovacuum-disabled" in rules) is (settings["autovacuum"] == "off")
    preloaded = "pg_stat_statements" in settings["shared_preload_libraries"]
    assert ("pg-stat-statements-missing" in rules) is not (
        preloaded and snapshot.facts["pg_stat_statements_installed"]
    )
    # The server is local: its memory is this machine's, read from /proc/meminfo.
    memory = snapshot.facts["machine_memory_bytes"]
    assert memory == _meminfo_bytes()
    shared = _bytes(settings["shared_buffers"])
    memory_objects = {f["location"]["object"] for f in findings if f["rule"] == "memory-settings-vs-machine"}
    assert ("shared_buffers" in memory_objects) is not (0.15 <= shared / memory <= 0.4)
    [checkpoints] = snapshot.rows("checkpoints")
    total = checkpoints["timed"] + checkpoints["requested"]
    mostly_requested = total >= 10 and checkpoints["requested"] / total >= 0.5
    assert ("checkpoints-too-frequent" in rules) is mostly_requested


def _meminfo_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no MemTotal in /proc/meminfo")


def _bytes(text: str) -> int:
    units = {"kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
    for unit, factor in units.items():
        if text.endswith(unit):
            return int(text[: -len(unit)]) * factor
    return int(text)


def test_result_sets_the_role_may_not_read_are_named_in_the_audit_notes(pg_url: str):
    """A role refused one catalog view still gets the rest of the health audit, and is told what
    was not checked (REVOKE on this test database's own copy of the view)."""
    from urllib.parse import urlsplit, urlunsplit

    role = f"dbx_limited_{uuid.uuid4().hex[:8]}"
    pg_execute(
        pg_url,
        f"CREATE ROLE {role} LOGIN; REVOKE SELECT ON pg_catalog.pg_stat_activity FROM PUBLIC;",
    )
    parts = urlsplit(pg_url)
    limited = urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}"))
    try:
        result = audit([limited], Config())
        notes = [n for n in result.notes if n.startswith("health: ")]
        assert notes and all("not checked" in n for n in notes)
        assert any("pg_stat_activity" in n for n in notes)
    finally:
        pg_execute(
            pg_url,
            f"GRANT SELECT ON pg_catalog.pg_stat_activity TO PUBLIC; DROP OWNED BY {role}; DROP ROLE {role};",
        )
