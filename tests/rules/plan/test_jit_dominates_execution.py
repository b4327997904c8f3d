from __future__ import annotations

from tests.rules.plan.helpers import findings

RULE = "jit-dominates-execution"


def test_jit_heavier_than_the_query_is_reported_at_the_jit_block():
    for fixture, line in (("pg_jit_dominates.txt", 19), ("pg_jit_dominates.json", 142)):
        [finding] = findings(RULE, fixture)
        assert finding.location.line == line
        assert finding.evidence["jit_total_ms"] > 10 and finding.evidence["time_share"] > 0.5
        assert finding.evidence["functions"] == 9
        assert finding.fix is not None and (finding.fix.sql or "").startswith("SET LOCAL jit = off;")


def test_cheap_jit_and_plans_without_jit_are_clean():
    for fixture in ("pg_jit_small.txt", "pg_jit_small.json", "pg_hash_batches.txt", "noanalyze.txt"):
        assert not findings(RULE, fixture)
    assert not findings(RULE, "pg_jit_dominates.txt", min_fraction=0.95)
