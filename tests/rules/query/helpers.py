"""Run one query rule over SQL text, optionally against a schema given as DDL."""

from __future__ import annotations

from typing import Any

from dbexpert.api.config import Config
from dbexpert.api.query import check_sql
from dbexpert.model import Engine, Finding
from dbexpert.sources.ddl import catalog_from_sql


def findings(
    rule: str, sql: str, *, schema: str | None = None, engine: Engine = Engine.POSTGRES, **options: Any
) -> list[Finding]:
    """Findings of ``rule`` on ``sql``; ``schema`` is DDL for the catalog (the text's own DDL counts too)."""
    catalog = catalog_from_sql(schema, engine, path="schema.sql") if schema else None
    config = Config(select=(rule,), engine=engine, thresholds={rule: options} if options else {})
    result = check_sql(sql, "query.sql", config, catalog)
    assert not result.problems, result.problems
    return [f for f in result.findings if f.rule == rule]
