"""blocked-query: lock waits and the sessions blocking them."""

from __future__ import annotations

from typing import Any

from tests.rules.ops.helpers import postgres_findings

RULE = "blocked-query"
findings = postgres_findings(RULE)


def _pair(blocked: int, blocker: int, seconds: float) -> dict[str, Any]:
    return {
        "blocked_pid": blocked,
        "blocked_user": "app",
        "blocked_seconds": seconds,
        "blocked_query": "UPDATE a SET x = 1",
        "blocking_pid": blocker,
        "blocking_user": "batch",
        "blocking_state": "idle in transaction",
        "blocking_query": "UPDATE a SET x = 2",
    }


def test_one_finding_per_waiter_naming_every_blocker():
    data = {"results": {"blocked": [_pair(2, 1, 30.0), _pair(2, 3, 30.0), _pair(4, 1, 8.0)]}}
    first, second = findings(data)
    assert first.location.object == "pid 2"
    assert "pg_terminate_backend(1)" in (first.fix.sql or "") and "pg_terminate_backend(3)" in (
        first.fix.sql or ""
    )
    assert [b["blocking_pid"] for b in first.evidence["blockers"]] == [1, 3]
    assert first.evidence["blocked"]["blocked_query"] == "UPDATE a SET x = 1"
    assert second.location.object == "pid 4"


def test_short_waits_are_clean():
    assert not findings({"results": {"blocked": [_pair(2, 1, 4.0)]}})
    assert not findings({"results": {}})
