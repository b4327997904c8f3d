"""How the Redis ops rule tests run one rule on a snapshot written as JSON (Redis 7.0.15)."""

from __future__ import annotations

import json
from typing import Any

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.model.backup import BackupProblem
from dbexpert.rules.context import run_backup_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json
from tests.rules.ops.helpers import run_rule


def redis_findings(rule: str, data: dict[str, Any], **options: Any) -> list[Finding]:
    snapshot = snapshot_from_json(json.dumps({"engine": "redis", "version": "7.0.15", **data}))
    return run_rule(rule, snapshot, Catalog(engine=Engine.REDIS, version=Version(7, 0, 15)), options)


def redis_verify_findings(rule: str, problem: BackupProblem) -> list[Finding]:
    return run_backup_rules([problem], [registry().get(rule)])
