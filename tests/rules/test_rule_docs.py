"""Every rule's declaration: name, documentation sections, executed examples, generated docs, own tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dbexpert.api.gendocs import expected_pages
from dbexpert.rules.context import run_rules
from dbexpert.rules.registry import DOC_SECTIONS, NAME_RE, Rule, registry
from dbexpert.sources.ddl import catalog_from_sql

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


@pytest.mark.parametrize("rule", [r for r in RULES if not r.needs_live], ids=_ids)
def test_example_fires_and_use_instead_is_clean(rule: Rule):
    example = catalog_from_sql(rule.docs.code_blocks("Example")[0], rule.dialect, path="example.sql")
    fired = [f for f in run_rules(example, [rule]) if f.rule == rule.name]
    assert fired, f"{rule.name}: the documented Example does not trigger the rule"
    for block in rule.docs.code_blocks("Use instead"):
        good = catalog_from_sql(block, rule.dialect, path="good.sql")
        clean = [f for f in run_rules(good, [rule]) if f.rule == rule.name]
        assert not clean, f"{rule.name}: the documented Use instead still triggers: {clean[0].message}"


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_every_rule_has_its_own_test_module(rule: Rule):
    module = sys.modules[rule.check.__module__].__name__.rsplit(".", 1)[1]
    assert (ROOT / "tests" / "rules" / f"test_{module}.py").is_file(), (
        f"{rule.name}: no tests/rules/test_{module}.py"
    )


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
