"""transaction-id-wraparound: age of datfrozenxid / relfrozenxid against 2^31."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "transaction-id-wraparound"
findings = postgres_findings(RULE)


def _data(db_age: int, table_age: int) -> dict[str, Any]:
    return {
        "settings": {"autovacuum_freeze_max_age": "200000000"},
        "results": {
            "wraparound_databases": [{"database": "shop", "xid_age": db_age}],
            "wraparound_tables": [
                {"schema": "public", "table": "events", "xid_age": table_age, "table_bytes": 1}
            ],
        },
    }


def test_half_way_warns_and_four_fifths_is_an_error():
    database, table = findings(_data(2**30, int(0.8 * 2**31) + 1))
    assert database.severity.value == "warning" and database.location.object == "shop"
    assert table.severity.value == "error" and "VACUUM (FREEZE, VERBOSE) events;" in (table.fix.sql or "")
    assert table.evidence["past_autovacuum_freeze_max_age"] is True
    assert table.evidence["ratio_of_2_31"] == 0.8
    assert "pg_prepared_xacts" in (table.fix.sql or "")


def test_young_ids_are_clean_and_ratios_are_options():
    assert not findings(_data(2**30 - 1, 150_000_000))
    assert len(findings(_data(300_000_000, 300_000_000), warn_ratio=0.1)) == 2
