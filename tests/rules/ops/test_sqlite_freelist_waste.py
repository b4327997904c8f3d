"""sqlite-freelist-waste: free pages against all pages, without auto_vacuum."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import sqlite_findings

RULE = "sqlite-freelist-waste"
findings = sqlite_findings(RULE)


def settings(pages: int, free: int, auto_vacuum: str = "0") -> dict[str, Any]:
    return {
        "settings": {
            "page_size": "4096",
            "page_count": str(pages),
            "freelist_count": str(free),
            "auto_vacuum": auto_vacuum,
        }
    }


def test_large_freelist_is_reported_with_vacuum():
    (found,) = findings(settings(853, 501))
    assert found.evidence["free_percent"] == 58.7
    assert "VACUUM;" in (found.fix.sql or "") and "INCREMENTAL" in (found.fix.sql or "")
    assert "2.0 MiB" in found.message


def test_small_share_small_size_or_auto_vacuum_is_clean():
    assert not findings(settings(2000, 100))
    assert not findings(settings(100, 90))  # 90 % but only 360 KiB
    assert not findings(settings(853, 501, auto_vacuum="2"))
    assert findings(settings(100, 90), min_free_mb=0)
