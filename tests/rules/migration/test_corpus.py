"""The labelled migration corpus: every file linted with its engine and version, as CI would.

Each file in tests/data/migrations/{postgres,mysql}/ starts with a header:

    -- expect: unsafe rule-name[, rule-name] | safe
    -- version: 12                 (optional: the server version the rules assume)
    -- engine: mariadb 10.11       (optional, mysql/: MariaDB and its version)
    -- transaction: tool           (optional: the migration tool runs the file in a transaction)

A file is unsafe when `migrations lint` gives it the unsafe verdict; the rules named must all fire.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dbexpert.api.config import Config
from dbexpert.api.migrations import lint_migrations
from dbexpert.model import Engine, Version
from dbexpert.model.migration import Migration, MigrationScript

CORPUS = Path(__file__).resolve().parents[2] / "data" / "migrations"
ENGINES = {"postgres": Engine.POSTGRES, "mysql": Engine.MYSQL}


@dataclass(frozen=True)
class Case:
    path: Path
    engine: Engine
    version: Version | None
    transactional: bool
    unsafe: bool
    rules: tuple[str, ...]


def _case(path: Path) -> Case:
    header: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.startswith("-- ") or ":" not in line:
            break
        key, _, value = line[3:].partition(":")
        header[key.strip()] = value.strip()
    verdict, _, rules = header["expect"].partition(" ")
    assert verdict in ("safe", "unsafe"), f"{path.name}: bad expect header"
    version = header.get("version")
    if "engine" in header:
        flavor, _, version = header["engine"].partition(" ")
        assert flavor == "mariadb", f"{path.name}: unknown engine {flavor}"
    return Case(
        path=path,
        engine=ENGINES[path.parent.name],
        version=Version.parse(version) if version else None,
        transactional=header.get("transaction") == "tool",
        unsafe=verdict == "unsafe",
        rules=tuple(r.strip() for r in rules.split(",") if r.strip()),
    )


CASES = [_case(p) for p in sorted(CORPUS.glob("*/*.sql"))]


def _verdict(case: Case) -> tuple[bool, set[str], tuple[str, ...]]:
    migration = Migration(
        id=case.path.stem,
        tool="sql",
        up=MigrationScript(str(case.path), case.path.read_text()),
        transactional=case.transactional,
    )
    config = Config(engine=case.engine)
    if case.version is not None:
        field = {Engine.POSTGRES: "pg_version", Engine.MYSQL: "mysql_version"}[case.engine]
        config = Config(engine=case.engine, **{field: case.version})
    result = lint_migrations([migration], config)
    [verdict] = result.verdicts
    return verdict.unsafe, {f.rule for f in result.findings}, result.problems


def test_the_corpus_is_broad():
    by_engine = {name: sum(c.engine is engine for c in CASES) for name, engine in ENGINES.items()}
    assert by_engine["postgres"] >= 60 and by_engine["mysql"] >= 40
    assert sum(c.unsafe for c in CASES) and sum(not c.unsafe for c in CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[f"{c.path.parent.name}/{c.path.stem}" for c in CASES])
def test_corpus_case(case: Case):
    unsafe, fired, problems = _verdict(case)
    assert problems == (), problems
    assert unsafe is case.unsafe, (
        f"expected {'unsafe' if case.unsafe else 'safe'}, rules fired: {sorted(fired)}"
    )
    missing = set(case.rules) - fired
    assert not missing, f"expected {sorted(missing)} to fire; fired: {sorted(fired)}"
