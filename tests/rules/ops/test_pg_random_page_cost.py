"""random-page-cost-on-ssd: random_page_cost against the storage kind."""

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


RULE = "random-page-cost-on-ssd"


def test_ssd_fact_or_option_with_default_cost_is_reported():
    [finding] = findings({"settings": {"random_page_cost": "4"}, "facts": {"storage": "ssd"}})
    assert "random_page_cost = '1.1'" in (finding.fix.sql or "")
    assert findings({"settings": {"random_page_cost": "4"}}, storage="ssd")


def test_spinning_or_unknown_storage_and_low_cost_are_clean():
    assert not findings({"settings": {"random_page_cost": "4"}, "facts": {"storage": "hdd"}})
    assert not findings({"settings": {"random_page_cost": "4"}})
    assert not findings({"settings": {"random_page_cost": "1.5"}, "facts": {"storage": "ssd"}})
    assert not findings({"settings": {"random_page_cost": "4"}, "facts": {"storage": "ssd"}}, storage="hdd")
