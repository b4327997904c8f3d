"""The labelled queries of tests/data/queries: each fires exactly the rules its first line names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbexpert.api.config import Config
from dbexpert.api.query import check_sql
from dbexpert.model import Engine
from dbexpert.rules.registry import Target, registry
from dbexpert.sources.ddl import catalog_from_sql

CORPUS = Path(__file__).resolve().parents[2] / "data" / "queries"
QUERY_RULES = tuple(rule.name for rule in registry() if rule.target is Target.QUERY)
CASES = sorted(CORPUS.glob("*.sql"))


def _header(text: str, key: str) -> str | None:
    found = re.search(rf"^-- {key}:\s*(.+)$", text, re.M)
    return found.group(1).strip() if found else None


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_labelled_query(case: Path):
    text = case.read_text(encoding="utf-8")
    expect = _header(text, "expect")
    assert expect, f"{case.name}: first line must be `-- expect: rule, ...` or `-- expect: clean`"
    expected = set() if expect == "clean" else {name.strip() for name in expect.split(",")}
    unknown = expected - set(QUERY_RULES)
    assert not unknown, f"{case.name}: unknown query rules {sorted(unknown)}"
    engine = Engine(_header(text, "engine") or "postgres")
    schema_name = _header(text, "schema")
    schema = None
    if schema_name:
        schema = catalog_from_sql((CORPUS / "schema" / schema_name).read_text(encoding="utf-8"), engine)
    result = check_sql(text, case.name, Config(select=QUERY_RULES, engine=engine), schema)
    assert not result.problems, result.problems
    fired = {f.rule for f in result.findings}
    assert fired == expected, f"{case.name}: fired {sorted(fired)}, expected {sorted(expected)}"
