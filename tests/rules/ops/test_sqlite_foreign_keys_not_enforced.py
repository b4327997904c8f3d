"""sqlite-foreign-keys-not-enforced: declared keys, per-connection enforcement, existing violations."""

from __future__ import annotations

from dbexpert.model import Severity
from tests.rules.ops.helpers import sqlite_findings

RULE = "sqlite-foreign-keys-not-enforced"
findings = sqlite_findings(RULE)
KEYS = [{"table": "orders", "id": 0, "parent": "customers"}, {"table": "items", "id": 0, "parent": "orders"}]


def test_violations_make_it_a_warning_with_the_rows():
    bad = [{"table": "orders", "rowid": 17, "parent": "customers", "fkid": 0}]
    (found,) = findings(
        {"settings": {"foreign_keys": "0"}, "results": {"foreign_keys": KEYS, "foreign_key_violations": bad}}
    )
    assert found.severity is Severity.WARNING
    assert "1 row(s) already violate them (in orders)" in found.message
    assert found.evidence["violations"] == bad


def test_without_violations_it_is_an_info_reminder():
    (found,) = findings(
        {"settings": {"foreign_keys": "0"}, "results": {"foreign_keys": KEYS, "foreign_key_violations": []}}
    )
    assert found.severity is Severity.INFO
    assert "2 foreign key(s) on 2 table(s)" in found.message
    assert "PRAGMA foreign_keys = ON;" in (found.fix.sql or "")


def test_no_declared_keys_or_enforcement_on_is_clean():
    assert not findings({"settings": {"foreign_keys": "0"}, "results": {"foreign_keys": []}})
    assert not findings({"settings": {"foreign_keys": "1"}, "results": {"foreign_keys": KEYS}})
