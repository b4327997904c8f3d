"""sqlite-journal-mode-not-wal: rollback journal modes, and the unsafe off/memory modes."""

from __future__ import annotations

from tests.rules.ops.helpers import sqlite_findings

RULE = "sqlite-journal-mode-not-wal"
findings = sqlite_findings(RULE)


def test_rollback_journal_is_reported_on_the_file():
    (found,) = findings({"settings": {"journal_mode": "delete"}})
    assert found.location.path == "app.db" and found.fix.sql == "PRAGMA journal_mode = WAL;"
    assert "blocks every reader" in found.message


def test_off_and_memory_warn_about_corruption():
    for mode in ("off", "memory"):
        (found,) = findings({"settings": {"journal_mode": mode}})
        assert "corrupt" in found.message


def test_wal_or_unknown_is_clean():
    assert not findings({"settings": {"journal_mode": "wal"}})
    assert not findings({"settings": {}})
