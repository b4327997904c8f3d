"""Helpers for exact-mode rule tests: a MigrationRun as ``migrations test`` would observe it."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from dbexpert.model import Catalog, Engine, Finding
from dbexpert.model.migration import Migration, MigrationScript, StatementTrace
from dbexpert.rules.context import RuleContext
from dbexpert.rules.exact._run import MigrationRun
from dbexpert.rules.registry import Rule


def migration(down: str | None = "DROP TABLE t;") -> Migration:
    return Migration(
        id="2_t",
        tool="golang-migrate",
        up=MigrationScript("2_t.up.sql", "CREATE TABLE t (id int);"),
        down=MigrationScript("2_t.down.sql", down) if down is not None else None,
        transactional=True,
    )


def trace(**overrides: Any) -> StatementTrace:
    values: dict[str, Any] = {
        "path": "2_t.up.sql",
        "line": 1,
        "sql": "ALTER TABLE t ALTER COLUMN c TYPE bigint",
        "ms": 12.0,
        "locks": (("public.t", "ACCESS EXCLUSIVE"),),
        "rewritten": ("public.t",),
        "blocks_reads": True,
        "blocks_writes": True,
        "how": "probe",
    }
    values.update(overrides)
    return StatementTrace(**values)


def check(rule: Rule, run: object) -> list[Finding]:
    ctx = RuleContext(rule=rule, catalog=Catalog(engine=Engine.POSTGRES), options=MappingProxyType({}))
    return list(rule.check(run, ctx))


__all__ = ["MigrationRun", "check", "migration", "trace"]
