from __future__ import annotations

from tests.rules.plan.helpers import findings

RULE = "row-estimate-off"


def test_correlated_filter_underestimate_feeding_a_join():
    for fixture in ("estimate_bad.txt", "estimate_bad.json"):
        [finding] = findings(RULE, fixture)  # the Nested Loop above inherits the error: not reported
        assert finding.location.line in (14, 93)
        assert finding.evidence["estimated_rows"] == 11 and finding.evidence["actual_rows"] == 1000
        assert finding.evidence["feeds"] == "Nested Loop"
        assert finding.fix is not None and finding.fix.sql is not None
        assert "CREATE STATISTICS" in finding.fix.sql and "ON a, b FROM events" in finding.fix.sql


def test_extended_statistics_fix_the_estimate():
    assert not findings(RULE, "estimate_good.txt")


def test_factor_is_an_option_and_unanalyzed_plans_are_clean():
    assert not findings(RULE, "estimate_bad.txt", min_factor=200)
    assert not findings(RULE, "noanalyze.txt")
