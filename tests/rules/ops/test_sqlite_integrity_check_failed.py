"""sqlite-integrity-check-failed: quick_check / integrity_check not answering ok."""

from __future__ import annotations

from dbexpert.model import Severity
from tests.rules.ops.helpers import sqlite_findings

RULE = "sqlite-integrity-check-failed"
findings = sqlite_findings(RULE)


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
