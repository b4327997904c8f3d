"""Every rule's declaration: name, documentation sections, executed examples, generated docs, own tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dbexpert.api.config import Config
from dbexpert.api.gendocs import expected_pages
from dbexpert.api.migrations import lint_sql
from dbexpert.api.query import check_sql
from dbexpert.model import Catalog, Finding
from dbexpert.rules.context import run_code_rules, run_health_rules, run_plan_rules, run_rules
from dbexpert.rules.registry import DOC_SECTIONS, NAME_RE, Rule, Target, registry
from dbexpert.sources.code import merged, scan_text
from dbexpert.sources.ddl import catalog_from_sql
from dbexpert.sources.health import snapshot_from_json
from dbexpert.sources.plans import parse_plan

RULES = list(registry())
ROOT = Path(__file__).resolve().parents[2]


def _ids(rule: Rule) -> str:
    return rule.name


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_declaration_and_doc_sections(rule: Rule):
    assert NAME_RE.match(rule.name)
    missing = [title for title in DOC_SECTIONS if not rule.docs.section(title)]
    assert not missing, f"{rule.name}: missing doc sections {missing}"
    assert rule.docs.code_blocks("Example"), f"{rule.name}: Example needs a code block"
    assert rule.docs.code_blocks("Use instead"), f"{rule.name}: Use instead needs a code block"
    assert rule.docs.references, f"{rule.name}: References needs at least one URL"
    assert rule.one_line and len(rule.one_line) < 200


def _findings(rule: Rule, sql: str) -> list[Finding]:
    """Schema rules see the catalog the SQL builds; statement rules lint the SQL as one migration;
    plan rules read the block as EXPLAIN output; query rules check its queries against its DDL."""
    if rule.target is Target.LOOP_QUERY:  # code blocks: whichever scanner reads them
        scans = [scan_text(sql, "example.py"), scan_text(sql, "example.ts")]
        return [f for f in run_code_rules(merged(scans).sites, [rule]) if f.rule == rule.name]
    if rule.target is Target.REQUEST:  # JSON lines traces
        from dbexpert.api.workload import find_nplusone_in_events
        from dbexpert.sources.logs import ReadOptions, traces

        events = traces.read(sql.splitlines(), "example.jsonl", ReadOptions())
        return [f for f in find_nplusone_in_events(events, Config(select=(rule.name,))) if f.rule == rule.name]
    if rule.target is Target.HEALTH:
        snapshot = snapshot_from_json(sql, "example.json")
        catalog = Catalog(engine=snapshot.engine, version=snapshot.version, flavor=snapshot.flavor)
        return [f for f in run_health_rules(snapshot, catalog, [rule]) if f.rule == rule.name]
    if rule.target is Target.QUERY:
        config = Config(select=(rule.name,), engine=rule.dialect)
        return [f for f in check_sql(sql, "example.sql", config).findings if f.rule == rule.name]
    if rule.target is Target.PLAN_NODE:
        return [f for f in run_plan_rules(parse_plan(sql, "example.txt"), [rule]) if f.rule == rule.name]
    if rule.target is Target.STATEMENT:
        version = rule.min_version.get(rule.dialect)
        config = Config(select=(rule.name,))
        return [f for f in lint_sql(sql, rule.dialect, version, config=config) if f.rule == rule.name]
    catalog = catalog_from_sql(sql, rule.dialect, path="example.sql")
    return [f for f in run_rules(catalog, [rule]) if f.rule == rule.name]


# Live rules need statistics and exact-mode rules a scratch database: their own tests run their examples.
STATIC_RULES = [r for r in RULES if not r.needs_live and r.target is not Target.MIGRATION_RUN]


@pytest.mark.parametrize("rule", STATIC_RULES, ids=_ids)
def test_example_fires_and_use_instead_is_clean(rule: Rule):
    fired = _findings(rule, rule.docs.code_blocks("Example")[0])
    assert fired, f"{rule.name}: the documented Example does not trigger the rule"
    for block in rule.docs.code_blocks("Use instead"):
        clean = _findings(rule, block)
        assert not clean, f"{rule.name}: the documented Use instead still triggers: {clean[0].message}"


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_every_rule_has_its_own_test_module(rule: Rule):
    package, module = sys.modules[rule.check.__module__].__name__.rsplit(".", 1)
    subfolder = next(
        (name for name in ("migration", "plan", "query", "ops", "code", "workload") if package.endswith(f".{name}")), ""
    )
    folder = ROOT / "tests" / "rules" / subfolder
    assert (folder / f"test_{module}.py").is_file(), f"{rule.name}: no test_{module}.py in {folder}"


def test_generated_rule_docs_are_up_to_date():
    folder = ROOT / "docs" / "rules"
    for name, text in expected_pages(registry()).items():
        page = folder / name
        assert page.is_file(), f"docs/rules/{name} is missing: run python -m dbexpert.api.gendocs"
        assert page.read_text(encoding="utf-8") == text, (
            f"docs/rules/{name} is stale: run python -m dbexpert.api.gendocs"
        )
    stale = {p.name for p in folder.glob("*.md")} - set(expected_pages(registry()))
    assert not stale, f"docs for rules that no longer exist: {sorted(stale)}"
