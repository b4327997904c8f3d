from __future__ import annotations

from tests.rules.plan.helpers import findings

RULE = "parallel-workers-not-launched"


def test_missing_workers_are_reported_with_the_pool_settings():
    for fixture, line in (("pg_parallel_not_launched.txt", 4), ("pg_parallel_not_launched.json", 32)):
        [finding] = findings(RULE, fixture)
        assert finding.location.line == line
        assert (finding.evidence["workers_planned"], finding.evidence["workers_launched"]) == (1, 0)
        assert finding.evidence["max_parallel_workers"] == "0"
        assert finding.fix is not None and "max_parallel_workers" in (finding.fix.sql or "")


def test_launched_workers_are_clean():
    for fixture in ("pg_parallel_launched.txt", "pg_parallel_launched.json", "pg_hash_batches.txt"):
        assert not findings(RULE, fixture)
