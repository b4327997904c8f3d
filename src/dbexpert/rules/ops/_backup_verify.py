"""Helpers the backup-verify rules share: every finding sits at the artifact and comes from a restore.
Not a rule (no ``RULE``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dbexpert.model import Engine, Finding, Mode
from dbexpert.model.backup import BackupProblem
from dbexpert.rules.context import RuleContext

# Engines whose artifacts are restored into a scratch database (SQLite files are read in place).
RESTORED = frozenset({Engine.POSTGRES, Engine.MYSQL})


def verified(
    ctx: RuleContext,
    problem: BackupProblem,
    message: str,
    fix: str,
    evidence: Mapping[str, Any],
    sql: str | None = None,
) -> Finding:
    """A finding located at the artifact (and the table concerned), in exact mode: it was observed
    by restoring or reading the backup, not inferred from settings."""
    finding = ctx.finding(message, location=problem.location, fix=fix, sql=sql, evidence=evidence)
    return replace(finding, mode=Mode.EXACT, table=problem.table)
