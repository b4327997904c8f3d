"""autovacuum-disabled: autovacuum or track_counts off."""

from __future__ import annotations

from tests.rules.ops.helpers import postgres_findings

RULE = "autovacuum-disabled"
findings = postgres_findings(RULE)


def test_each_off_setting_is_reported_with_its_safe_fix():
    found = findings({"settings": {"autovacuum": "off", "track_counts": "off"}})
    assert [f.location.object for f in found] == ["autovacuum", "track_counts"]
    assert "ALTER SYSTEM SET autovacuum = 'on';" in (found[0].fix.sql or "")
    assert found[0].severity.value == "error"


def test_on_or_unknown_is_clean():
    assert not findings({"settings": {"autovacuum": "on", "track_counts": "on"}})
    assert not findings({})
