"""backup-postgres-archive-timeout-unset: archiving on, but no bound on how long WAL waits."""

from __future__ import annotations

import json
from typing import Any

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    snapshot = snapshot_from_json(json.dumps({"engine": "postgres", "version": "15.4", **data}))
    catalog = Catalog(engine=Engine.POSTGRES, version=Version(15, 4))
    return run_health_rules(snapshot, catalog, [registry().get(RULE)], {RULE: options})


RULE = "backup-postgres-archive-timeout-unset"
SETTINGS = {"wal_level": "replica", "archive_mode": "on", "archive_command": "wal-g wal-push %p"}


def test_zero_and_too_long_timeouts_are_reported():
    (found,) = findings({"settings": {**SETTINGS, "archive_timeout": "0"}})
    assert "never forced" in found.message
    assert found.fix.sql == "ALTER SYSTEM SET archive_timeout = '300s';\nSELECT pg_reload_conf();"
    (found,) = findings({"settings": {**SETTINGS, "archive_timeout": "1h"}})
    assert "1h" in found.message


def test_short_timeout_or_no_archiving_is_clean():
    assert not findings({"settings": {**SETTINGS, "archive_timeout": "1min"}})
    assert not findings({"settings": {**SETTINGS, "archive_timeout": "60"}})
    assert not findings({"settings": {**SETTINGS, "archive_mode": "off", "archive_timeout": "0"}})
    assert findings({"settings": {**SETTINGS, "archive_timeout": "1min"}}, max_archive_timeout=30)
