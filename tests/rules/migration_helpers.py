"""Helpers for migration-rule tests: lint SQL text as one migration and keep one rule's findings."""

from __future__ import annotations

from dbexpert.api.config import Config
from dbexpert.api.migrations import lint_sql
from dbexpert.model import Engine, Finding, Version


def lint(
    sql: str,
    rule: str,
    engine: Engine = Engine.POSTGRES,
    version: Version | None = None,
    *,
    transactional: bool = False,
) -> list[Finding]:
    """Findings of ``rule`` when ``sql`` is linted as one migration (tables it does not create exist)."""
    config = Config(select=(rule,))
    return [
        f
        for f in lint_sql(sql, engine, version, transactional=transactional, config=config)
        if f.rule == rule
    ]
