"""connections-near-max: open client connections vs the usable slots."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "connections-near-max"
findings = postgres_findings(RULE)


def _data(total: int, reserved: str = "3", **settings: str) -> dict[str, Any]:
    return {
        "settings": {"max_connections": "100", "superuser_reserved_connections": reserved, **settings},
        "results": {
            "connections": [{"total": total, "active": 1, "idle": total - 1, "idle_in_transaction": 0}]
        },
    }


def test_reserved_slots_are_not_usable_and_ratio_is_evidence():
    [finding] = findings(_data(78))  # 78 / 97 = 80.4 %
    assert finding.evidence["usable"] == 97 and finding.evidence["ratio"] == 0.804
    assert finding.severity.value == "warning"
    assert "max_connections = 150" in (finding.fix.sql or "")
    assert not findings(_data(77))


def test_reserved_connections_of_16_count_and_near_full_is_an_error():
    [finding] = findings(_data(92, reserved="3", reserved_connections="5"))
    assert finding.evidence["usable"] == 92 and finding.severity.value == "error"


def test_threshold_option_and_missing_data():
    assert findings(_data(50), ratio=0.5)
    assert not findings({"settings": {"max_connections": "100"}})
