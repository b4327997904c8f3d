"""engines.sqlite.health: the row-estimate SQL and build_snapshot on captured rows (from the demo
database, read through the read-only session)."""

from __future__ import annotations

import sqlite3

from dbexpert.engines.sqlite.health import build_snapshot, row_estimates_sql
from dbexpert.model import Engine, Version

SETTINGS = {
    "version": "3.40.1",
    "journal_mode": "delete",
    "foreign_keys": 0,
    "page_size": 4096,
    "page_count": 853,
    "freelist_count": 501,
    "auto_vacuum": 0,
    "user_version": 0,
    "encoding": "UTF-8",
}


def test_rows_map_to_settings_tables_and_checks():
    snapshot = build_snapshot(
        SETTINGS,
        integrity=(
            "quick_check",
            [("NULL value in audit_log.details",), ("NULL value in audit_log.details",)],
        ),
        foreign_keys=[("addresses", 0, "customers"), ("order_items", 1, "products")],
        violations=[("reviews", 4, "products", 0)],
        tables=[("audit_log", 0), ("coupons", 1), ("page_views", 0)],
        estimates=[("audit_log", 12000), ("page_views", 3000)],
        stat1=[("audit_log", "audit_log_action", "12000 4000"), ("coupons", None, "40")],
        file_bytes=3_493_888,
        source="shop.db",
    )
    assert snapshot.engine is Engine.SQLITE and snapshot.version == Version(3, 40, 1)
    assert snapshot.setting("journal_mode") == "delete" and snapshot.setting("freelist_count") == "501"
    assert [dict(r) for r in snapshot.rows("tables")] == [
        {"table": "audit_log", "without_rowid": False, "rows_estimate": 12000, "stat1_rows": 12000},
        {"table": "coupons", "without_rowid": True, "rows_estimate": None, "stat1_rows": 40},
        {"table": "page_views", "without_rowid": False, "rows_estimate": 3000, "stat1_rows": None},
    ]
    assert snapshot.rows("foreign_key_violations")[0]["rowid"] == 4
    assert len(snapshot.rows("integrity_check")) == 2
    assert snapshot.facts == {"file_bytes": 3_493_888, "integrity_check": "quick_check", "has_stat1": True}


def test_a_check_that_could_not_run_is_unavailable_not_ok():
    snapshot = build_snapshot(
        SETTINGS,
        integrity=("integrity_check", []),
        foreign_keys=[],
        violations=[],
        tables=[],
        estimates=[],
        stat1=None,
        file_bytes=0,
        unavailable={"integrity_check": "statement cancelled after 30000 ms"},
    )
    assert not snapshot.has("integrity_check") and snapshot.facts["has_stat1"] is False


def test_row_estimates_quote_hostile_names():
    conn = sqlite3.connect(":memory:")
    conn.execute('CREATE TABLE "it\'s ""odd""" (x)')
    conn.executemany('INSERT INTO "it\'s ""odd""" VALUES (?)', [(i,) for i in range(5)])
    conn.execute("CREATE TABLE plain (x)")
    assert conn.execute(row_estimates_sql(['it\'s "odd"', "plain"])).fetchall() == [
        ('it\'s "odd"', 5),
        ("plain", None),
    ]
