"""sqlite-missing-analyze: large tables with no row in sqlite_stat1."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import sqlite_findings

RULE = "sqlite-missing-analyze"
findings = sqlite_findings(RULE)


def table(name: str, rows: int | None, stat: int | None) -> dict[str, Any]:
    return {"table": name, "without_rowid": rows is None, "rows_estimate": rows, "stat1_rows": stat}


def test_large_unanalyzed_tables_are_reported_one_by_one():
    tables = [table("page views", 3000, None), table("orders", 1200, 1200), table("tiny", 10, None)]
    (found,) = findings({"results": {"tables": tables}, "facts": {"has_stat1": True}})
    assert found.location.object == "page views"
    assert found.fix.sql.startswith('ANALYZE "page views";')
    assert "after the last ANALYZE" in found.message


def test_never_analyzed_file_says_so():
    (found,) = findings(
        {"results": {"tables": [table("events", 50_000, None)]}, "facts": {"has_stat1": False}}
    )
    assert "never run" in found.message


def test_analyzed_small_or_without_rowid_is_clean():
    tables = [table("orders", 1200, 1200), table("tiny", 10, None), table("coupons", None, None)]
    assert not findings({"results": {"tables": tables}, "facts": {"has_stat1": True}})
    assert findings({"results": {"tables": tables}, "facts": {"has_stat1": True}}, min_rows=5)
