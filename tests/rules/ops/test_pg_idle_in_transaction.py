"""idle-in-transaction: sessions idle inside an open transaction."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "idle-in-transaction"
findings = postgres_findings(RULE)


def _data(state: str, seconds: float, timeout: str = "0") -> dict[str, Any]:
    return {
        "settings": {"idle_in_transaction_session_timeout": timeout},
        "results": {
            "sessions": [
                {
                    "pid": 77,
                    "user": "app",
                    "application_name": "worker",
                    "state": state,
                    "xact_seconds": seconds + 1,
                    "state_seconds": seconds,
                    "query": "UPDATE t",
                }
            ]
        },
    }


def test_idle_transaction_is_reported_with_terminate_and_timeout_fix():
    [finding] = findings(_data("idle in transaction", 61.0))
    assert "SELECT pg_terminate_backend(77);" in (finding.fix.sql or "")
    assert "idle_in_transaction_session_timeout = '5min'" in (finding.fix.sql or "")
    assert finding.evidence["state_seconds"] == 61.0


def test_aborted_transactions_count_and_existing_timeout_is_not_suggested_again():
    [finding] = findings(_data("idle in transaction (aborted)", 120.0, timeout="10min"))
    assert "idle_in_transaction_session_timeout" not in (finding.fix.sql or "")


def test_short_idle_and_active_sessions_are_clean():
    assert not findings(_data("idle in transaction", 59.0))
    assert not findings(_data("active", 600.0))
