"""sqlite-integrity-check-failed: quick_check / integrity_check not answering ok."""

from __future__ import annotations

import json
from typing import Any

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.health import snapshot_from_json


def findings(data: dict[str, Any], **options: Any) -> list[Finding]:
    snapshot = snapshot_from_json(json.dumps({"engine": "sqlite", "version": "3.45.1", **data}), "app.db")
    catalog = Catalog(engine=Engine.SQLITE, version=Version(3, 45, 1))
    return run_health_rules(snapshot, catalog, [registry().get(RULE)], {RULE: options})


from dbexpert.model import Severity  # noqa: E402

RULE = "sqlite-integrity-check-failed"


def test_problems_are_summarised_by_kind_and_say_which_check_ran():
    rows = [{"message": "NULL value in t.c"}] * 3 + [{"message": "row 5 missing from index i"}]
    (found,) = findings(
        {"results": {"integrity_check": rows}, "facts": {"integrity_check": "integrity_check"}}
    )
    assert found.severity is Severity.ERROR
    assert found.message.startswith(
        "PRAGMA integrity_check reports 4 problem(s): NULL value in t.c and 1 other kind(s)"
    )
    assert found.evidence["problems"] == ["NULL value in t.c", "row 5 missing from index i"]
    assert "VACUUM INTO" in (found.fix.sql or "")


def test_ok_or_not_read_is_clean():
    assert not findings({"results": {"integrity_check": [{"message": "ok"}]}})
    assert not findings({"results": {}, "unavailable": {"integrity_check": "statement cancelled"}})
