"""sqlite-journal-mode-not-wal: rollback journal modes, and the unsafe off/memory modes."""

from __future__ import annotations

import json
from typing import Any

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    snapshot = snapshot_from_json(json.dumps({"engine": "sqlite", "version": "3.45.1", **data}), "app.db")
    catalog = Catalog(engine=Engine.SQLITE, version=Version(3, 45, 1))
    return run_health_rules(snapshot, catalog, [registry().get(RULE)], {RULE: options})


RULE = "sqlite-journal-mode-not-wal"


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
