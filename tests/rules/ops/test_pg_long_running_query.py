"""long-running-query: active queries running longer than min_seconds."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "long-running-query"
findings = postgres_findings(RULE)


def _session(state: str, seconds: float) -> dict[str, Any]:
    return {
        "pid": 11,
        "user": "app",
        "application_name": "reports",
        "state": state,
        "query_start": "2024-05-01T10:00:00+00:00",
        "query_seconds": seconds,
        "query": "SELECT 1",
    }


def test_active_query_past_five_minutes_is_reported_with_cancel_and_timeout():
    [finding] = findings({"results": {"sessions": [_session("active", 301.0)]}})
    assert "pg_cancel_backend(11)" in (finding.fix.sql or "")
    assert "pg_terminate_backend(11)" in (finding.fix.sql or "")
    assert "ALTER ROLE \"app\" SET statement_timeout = '300s'" in (finding.fix.sql or "")
    assert finding.evidence["query_start"] == "2024-05-01T10:00:00+00:00"
    assert finding.location.object == "pid 11"


def test_short_or_idle_in_transaction_sessions_are_not_long_running_queries():
    assert not findings({"results": {"sessions": [_session("active", 299.0)]}})
    assert not findings({"results": {"sessions": [_session("idle in transaction", 9999.0)]}})
    assert findings({"results": {"sessions": [_session("active", 61.0)]}}, min_seconds=60)
