"""backup-mysql-commit-not-durable: sync_binlog and innodb_flush_log_at_trx_commit other than 1."""

from __future__ import annotations

import json
from typing import Any

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json


def findings(
    data: dict[str, Any], version: str = "8.0.36", flavor: str | None = None, **options: Any
) -> list[Finding]:
    snapshot = snapshot_from_json(
        json.dumps({"engine": "mysql", "version": version, "flavor": flavor, **data})
    )
    catalog = Catalog(engine=Engine.MYSQL, version=Version.parse(version), flavor=flavor)
    return run_health_rules(snapshot, catalog, [registry().get(RULE)], {RULE: options})


RULE = "backup-mysql-commit-not-durable"


def test_both_loose_settings_are_named():
    (found,) = findings(
        {"settings": {"log_bin": "ON", "sync_binlog": "0", "innodb_flush_log_at_trx_commit": "2"}}
    )
    assert found.location.object == "innodb_flush_log_at_trx_commit"
    assert "SET GLOBAL innodb_flush_log_at_trx_commit = 1;\nSET GLOBAL sync_binlog = 1;" in (
        found.fix.sql or ""
    )


def test_sync_binlog_only_matters_with_a_binary_log():
    assert not findings(
        {"settings": {"log_bin": "OFF", "sync_binlog": "0", "innodb_flush_log_at_trx_commit": "1"}}
    )
    (found,) = findings(
        {"settings": {"log_bin": "ON", "sync_binlog": "100", "innodb_flush_log_at_trx_commit": "1"}}
    )
    assert found.location.object == "sync_binlog"


def test_one_and_one_is_clean():
    assert not findings(
        {"settings": {"log_bin": "ON", "sync_binlog": "1", "innodb_flush_log_at_trx_commit": "1"}}
    )
