"""table-needs-vacuum: dead tuples past the table's autovacuum threshold."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "table-needs-vacuum"
findings = postgres_findings(RULE)


SETTINGS = {"autovacuum": "on", "autovacuum_vacuum_threshold": "50", "autovacuum_vacuum_scale_factor": "0.2"}


def _data(
    dead: int, reltuples: int = 10_000, reloptions: list[str] | None = None, **settings: str
) -> dict[str, Any]:
    row = {
        "schema": "public",
        "table": "events",
        "reltuples": reltuples,
        "live_tuples": reltuples,
        "dead_tuples": dead,
        "modified_since_analyze": 0,
        "reloptions": reloptions,
    }
    return {"settings": {**SETTINGS, **settings}, "results": {"vacuum": [row]}}


def test_past_threshold_is_reported_with_vacuum_statement():
    [finding] = findings(_data(2051))  # threshold 50 + 0.2 * 10000 = 2050
    assert finding.fix is not None and finding.fix.sql == "VACUUM (ANALYZE, VERBOSE) events;"
    assert finding.evidence["autovacuum_threshold"] == 2050
    assert "has not caught up" in finding.message
    assert not findings(_data(2050))


def test_per_table_parameters_win_and_a_disabled_table_is_reenabled():
    data = _data(1500, reloptions=["autovacuum_enabled=false", "autovacuum_vacuum_scale_factor=0.01"])
    [finding] = findings(data)
    assert "disabled on this table" in finding.message
    assert "RESET (autovacuum_enabled)" in (finding.fix.sql or "")


def test_server_autovacuum_off_is_named_and_small_counts_are_ignored():
    [finding] = findings(_data(5000, reltuples=100, autovacuum="off"))
    assert "off for the server" in finding.message
    assert not findings(_data(999, reltuples=0))  # below min_dead_tuples
    assert findings(_data(999, reltuples=0), min_dead_tuples=10)


def test_other_schemas_are_qualified():
    data = _data(5000)
    data["results"]["vacuum"][0]["schema"] = "audit"
    [finding] = findings(data)
    assert "audit.events" in (finding.fix.sql or "")
