"""autovacuum-disabled: autovacuum or track_counts off."""

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


RULE = "autovacuum-disabled"


def test_each_off_setting_is_reported_with_its_safe_fix():
    found = findings({"settings": {"autovacuum": "off", "track_counts": "off"}})
    assert [f.location.object for f in found] == ["autovacuum", "track_counts"]
    assert "ALTER SYSTEM SET autovacuum = 'on';" in (found[0].fix.sql or "")
    assert found[0].severity.value == "error"


def test_on_or_unknown_is_clean():
    assert not findings({"settings": {"autovacuum": "on", "track_counts": "on"}})
    assert not findings({})
