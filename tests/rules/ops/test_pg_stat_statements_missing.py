"""pg-stat-statements-missing: library preloaded and extension created."""

from __future__ import annotations

import json
from typing import Any

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    snapshot = snapshot_from_json(json.dumps({"engine": "postgres", "version": "15.4", **data}))
    catalog = Catalog(engine=Engine.POSTGRES, version=Version(15, 4))
    return run_health_rules(snapshot, catalog, [registry().get(RULE)], {RULE: options})


RULE = "pg-stat-statements-missing"


def test_not_preloaded_keeps_existing_libraries():
    [finding] = findings(
        {
            "settings": {"shared_preload_libraries": "auto_explain"},
            "facts": {"pg_stat_statements_installed": False},
        }
    )
    assert "shared_preload_libraries = 'auto_explain, pg_stat_statements'" in (finding.fix.sql or "")
    assert "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;" in (finding.fix.sql or "")


def test_preloaded_without_extension_only_needs_create_extension():
    [finding] = findings(
        {
            "settings": {"shared_preload_libraries": "pg_stat_statements"},
            "facts": {"pg_stat_statements_installed": False},
        }
    )
    assert finding.fix.sql == "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"


def test_ready_or_unknown_is_clean():
    assert not findings(
        {
            "settings": {"shared_preload_libraries": "pg_stat_statements, auto_explain"},
            "facts": {"pg_stat_statements_installed": True},
        }
    )
    assert not findings({})
