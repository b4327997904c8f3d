from __future__ import annotations

from tests.rules.workload.helpers import event, run

RULE = "duplicate-queries"


def test_identical_query_repeated_in_one_request():
    events = [event("r", "SELECT * FROM users WHERE id = $1", i * 0.001, 0.5, params=("7",)) for i in range(4)]
    (finding,) = run(events, RULE)
    assert finding.evidence["identical_runs"] == 4
    assert "cache" in finding.fix.description


def test_different_values_or_requests_are_not_duplicates():
    loop = [event("r", "SELECT * FROM users WHERE id = $1", i * 0.001, 0.5, params=(str(i),)) for i in range(6)]
    across = [event(f"q{i}", "SELECT * FROM users WHERE id = 7", i * 1.0) for i in range(6)]
    twice = [event("t", "SELECT 1", 0.0), event("t", "SELECT 1", 0.1)]
    assert not run(loop + across + twice, RULE)
    assert run(twice, RULE, min_duplicates=2)
