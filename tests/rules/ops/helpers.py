"""How the ops rule tests run one health rule: a snapshot built from the JSON a test gives (what
``health --snapshot`` would have read), the catalog of the same engine and version, and the rule
with the test's options."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json

Findings = Callable[..., list[Finding]]


def run_rule(rule: str, snapshot: HealthSnapshot, catalog: Catalog, options: dict[str, Any]) -> list[Finding]:
    return run_health_rules(snapshot, catalog, [registry().get(rule)], {rule: options})


def mysql_findings(rule: str) -> Findings:
    """``findings(data, version="8.0.36", flavor=None, **options)`` for a MySQL/MariaDB rule."""

    def findings(
        data: dict[str, Any], version: str = "8.0.36", flavor: str | None = None, **options: Any
    ) -> list[Finding]:
        snapshot = snapshot_from_json(json.dumps({"engine": "mysql", "version": version, "flavor": flavor, **data}))
        catalog = Catalog(engine=Engine.MYSQL, version=Version.parse(version), flavor=flavor)
        return run_rule(rule, snapshot, catalog, options)

    return findings


def postgres_findings(rule: str) -> Findings:
    """``findings(data, **options)`` for a PostgreSQL rule, on a 15.4 server."""

    def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
        snapshot = snapshot_from_json(json.dumps({"engine": "postgres", "version": "15.4", **data}))
        return run_rule(rule, snapshot, Catalog(engine=Engine.POSTGRES, version=Version(15, 4)), options)

    return findings


def sqlite_findings(rule: str) -> Findings:
    """``findings(data, **options)`` for a SQLite rule, on an ``app.db`` file of SQLite 3.45.1."""

    def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
        snapshot = snapshot_from_json(json.dumps({"engine": "sqlite", "version": "3.45.1", **data}), "app.db")
        return run_rule(rule, snapshot, Catalog(engine=Engine.SQLITE, version=Version(3, 45, 1)), options)

    return findings
