"""`index advise` on SQLite: an in-memory clone with the file's schema and sqlite_stat1, like `.expert`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbexpert.api.index_advise import index_advise


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, status TEXT NOT NULL,
                                 created_at TEXT NOT NULL, total REAL NOT NULL);
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000)
            INSERT INTO orders SELECT n, n % 2000, CASE WHEN n % 50 = 0 THEN 'failed' ELSE 'done' END,
                                      date('2026-01-01', '+' || (n % 300) || ' days'), n % 100 FROM g;
            ANALYZE;
            """
        )
    db.close()
    return path


def test_recommends_an_index_that_turns_the_scan_into_a_search(shop: Path, tmp_path: Path) -> None:
    workload = tmp_path / "w.sql"
    workload.write_text(
        "select total from orders where customer_id = 7 and created_at > '2026-03-01';\n"
        "select * from missing where a = 1;\n",
        encoding="utf-8",
    )
    advice = index_advise(f"sqlite:///{shop}", str(workload), budget_mb=10)
    statements = [i["sql"] for i in advice.indexes_json()]
    assert statements and statements[0].startswith("CREATE INDEX orders_customer_id")
    assert "CONCURRENTLY" not in statements[0]  # SQLite has no concurrent build
    (cost,) = advice.selection.costs
    assert cost.before == 20000 and cost.after <= 10  # a full scan of 20000 rows -> an index search
    assert any("unknown table missing" in s for s in advice.skipped)
    with sqlite3.connect(shop) as db:  # the file is untouched: indexes were tried in memory only
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]
    db.close()
    assert names == []
