"""pg-stat-statements-missing: library preloaded and extension created."""

from __future__ import annotations

from tests.rules.ops.helpers import postgres_findings

RULE = "pg-stat-statements-missing"
findings = postgres_findings(RULE)


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
