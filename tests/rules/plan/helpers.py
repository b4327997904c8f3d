"""Run one plan rule over a captured plan (tests/sources/plans/fixtures) or plan text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dbexpert.model import Finding
from dbexpert.rules.context import run_plan_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.plans import parse_plan
from tests.sources.plans.fixtures import fixture_text


def findings(rule: str, fixture: str, **options: Any) -> list[Finding]:
    return findings_in(rule, fixture_text(fixture), fixture, options)


def findings_in(
    rule: str, text: str, path: str = "plan.txt", options: Mapping[str, Any] | None = None
) -> list[Finding]:
    plan = parse_plan(text, path)
    return run_plan_rules(plan, [registry().get(rule)], {rule: dict(options or {})})
