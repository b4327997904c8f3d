"""Every N+1 site of the labelled TypeScript corpus is found at its line, and nothing else.

Each file under tests/data/nplusone/{prisma,typeorm,drizzle}/ marks its expected sites with a
trailing `// expect: rule-name` comment on the query line; the unmarked code holds look-alikes
that must stay clean (eager loading, batched queries, pagination, constant lists, ...).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbexpert.rules.context import run_code_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.code.typescript_loops import scan_file

CORPUS = Path(__file__).parents[2] / "data" / "nplusone"
ORMS = ("prisma", "typeorm", "drizzle")
EXPECT = re.compile(r"//\s*expect:\s*([a-z-]+)")


def _files(orm: str) -> list[Path]:
    return sorted(p for p in (CORPUS / orm).iterdir() if p.suffix in (".ts", ".tsx", ".js", ".mjs", ".cjs"))


def _expected(text: str) -> set[tuple[int, str]]:
    return {(n, m.group(1)) for n, line in enumerate(text.splitlines(), 1) if (m := EXPECT.search(line))}


def _found(path: Path) -> set[tuple[int, str]]:
    scan = scan_file(str(path), path.read_text(encoding="utf-8"))
    assert scan.problems == ()
    code_rules = [r for r in registry() if r.name in _RULES]
    return {(f.location.line or 0, f.rule) for f in run_code_rules(scan.sites, code_rules)}


_RULES = ("query-in-loop", "lazy-load-in-loop", "prefetch-bypassed", "per-row-write-in-loop")


@pytest.mark.parametrize(
    "path", [p for orm in ORMS for p in _files(orm)], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_labelled_site_is_found_and_nothing_else(path: Path) -> None:
    expected = _expected(path.read_text(encoding="utf-8"))
    found = _found(path)
    assert sorted(expected - found) == [], "missed"
    assert sorted(found - expected) == [], "false alarms"


@pytest.mark.parametrize("orm", ORMS)
def test_the_corpus_is_large_enough_to_mean_something(orm: str) -> None:
    sites = sum(len(_expected(p.read_text(encoding="utf-8"))) for p in _files(orm))
    assert sites >= 15
