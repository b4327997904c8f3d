"""random-page-cost-on-ssd: random_page_cost against the storage kind."""

from __future__ import annotations

from tests.rules.ops.helpers import postgres_findings

RULE = "random-page-cost-on-ssd"
findings = postgres_findings(RULE)


def test_ssd_fact_or_option_with_default_cost_is_reported():
    [finding] = findings({"settings": {"random_page_cost": "4"}, "facts": {"storage": "ssd"}})
    assert "random_page_cost = '1.1'" in (finding.fix.sql or "")
    assert findings({"settings": {"random_page_cost": "4"}}, storage="ssd")


def test_spinning_or_unknown_storage_and_low_cost_are_clean():
    assert not findings({"settings": {"random_page_cost": "4"}, "facts": {"storage": "hdd"}})
    assert not findings({"settings": {"random_page_cost": "4"}})
    assert not findings({"settings": {"random_page_cost": "1.5"}, "facts": {"storage": "ssd"}})
    assert not findings({"settings": {"random_page_cost": "4"}, "facts": {"storage": "ssd"}}, storage="hdd")
