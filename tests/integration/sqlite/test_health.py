"""The SQLite health snapshot and rules on real temporary files: WAL against the rollback journal,
free pages, statistics, foreign keys and an integrity problem."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dbexpert.api.audit import audit
from dbexpert.engines import connect, read_health
from dbexpert.engines.sqlite.health import read_health as read_sqlite_health

HEALTH_RULES = {
    "sqlite-journal-mode-not-wal",
    "sqlite-foreign-keys-not-enforced",
    "sqlite-integrity-check-failed",
    "sqlite-freelist-waste",
    "sqlite-missing-analyze",
}


def build(path: Path, journal: str, rows: int = 2000) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    conn.execute(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id))"
    )
    conn.execute("CREATE INDEX orders_customer ON orders (customer_id)")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO customers VALUES (?, ?)", [(i, f"c{i}") for i in range(1, rows + 1)])
    conn.executemany("INSERT INTO orders VALUES (?, ?)", [(i, 1 + i % rows) for i in range(1, rows + 1)])
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return path


def test_healthy_wal_file_fires_nothing_but_the_foreign_key_reminder(tmp_path: Path):
    path = build(tmp_path / "good.db", "WAL")
    with connect(str(path)) as session:
        snapshot = read_health(session)
    assert snapshot.setting("journal_mode") == "wal"
    assert [dict(r) for r in snapshot.rows("integrity_check")] == [{"message": "ok"}]
    assert {r["table"]: r["stat1_rows"] for r in snapshot.rows("tables")} == {
        "customers": 2000,
        "orders": 2000,
    }
    fired = {f.rule: f for f in audit([str(path)]).findings if f.rule in HEALTH_RULES}
    assert set(fired) == {"sqlite-foreign-keys-not-enforced"}
    assert fired["sqlite-foreign-keys-not-enforced"].severity.value == "info"  # no violating row


def test_rollback_journal_freelist_stale_stats_violations_and_corruption(tmp_path: Path):
    path = build(tmp_path / "worn.db", "DELETE")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE staging (id INTEGER PRIMARY KEY, blob TEXT)")
    conn.executemany("INSERT INTO staging VALUES (?, ?)", [(i, "x" * 1000) for i in range(3000)])
    conn.execute("DROP TABLE staging")
    conn.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, at TEXT)")
    conn.executemany("INSERT INTO visits VALUES (?, ?)", [(i, "2024") for i in range(1, 1501)])
    conn.execute("INSERT INTO orders VALUES (99999, 424242)")  # foreign_keys is off on this connection
    conn.execute("INSERT INTO visits (id, at) VALUES (5000, NULL)")
    # NOT NULL added by editing sqlite_schema in place, over a NULL row: what quick_check catches.
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_schema SET sql = replace(sql, 'at TEXT', 'at TEXT NOT NULL') WHERE name = 'visits'"
    )
    conn.execute("PRAGMA writable_schema = OFF")
    conn.close()
    findings = {f.rule: f for f in audit([str(path)]).findings if f.rule in HEALTH_RULES}
    assert set(findings) == HEALTH_RULES
    assert findings["sqlite-journal-mode-not-wal"].evidence["journal_mode"] == "delete"
    assert findings["sqlite-missing-analyze"].location.object == "visits"
    assert findings["sqlite-foreign-keys-not-enforced"].evidence["violations"] == [
        {"table": "orders", "rowid": 99999, "parent": "customers", "fkid": 0}
    ]
    assert findings["sqlite-integrity-check-failed"].evidence["problems"] == ["NULL value in visits.at"]
    assert findings["sqlite-freelist-waste"].evidence["freelist_count"] > 700


def test_full_integrity_check_is_asked_for_and_the_file_is_unchanged(tmp_path: Path):
    path = build(tmp_path / "ro.db", "DELETE", rows=50)
    before = path.read_bytes()
    with connect(str(path)) as session:
        full = read_sqlite_health(session, "full")  # type: ignore[arg-type]
    assert full.facts["integrity_check"] == "integrity_check"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ro.db"]
