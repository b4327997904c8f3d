from __future__ import annotations

from tests.rules.plan.helpers import findings, findings_in

RULE = "nested-loop-large-outer"


def test_inner_seq_scan_run_per_outer_row_wants_an_index_on_the_join_key():
    for fixture, line in (("nl_seq.txt", 3), ("nl_seq.json", 4)):
        [finding] = findings(RULE, fixture)
        assert finding.location.line == line
        assert finding.evidence["inner_loops"] == 333 and finding.evidence["inner_table"] == "coupons"
        assert (
            finding.fix is not None
            and finding.fix.sql == "CREATE INDEX CONCURRENTLY ON coupons (customer_id);"
        )


def test_index_lookups_few_loops_and_hash_joins_are_clean():
    assert not findings(RULE, "nl_index.txt")
    assert not findings(RULE, "nl_seq.txt", min_loops=1000)
    assert not findings(RULE, "noanalyze.txt")
    assert not findings(RULE, "estimate_bad.txt")  # inner side is an index scan


def test_estimates_stand_in_for_loops_without_analyze():
    text = (
        "Nested Loop  (cost=0.00..46868.50 rows=83 width=9)\n"
        "  Join Filter: (c.id = k.customer_id)\n"
        "  ->  Seq Scan on customers c  (cost=0.00..415.00 rows=333 width=4)\n"
        "  ->  Materialize  (cost=0.00..102.00 rows=5000 width=9)\n"
        "        ->  Seq Scan on coupons k  (cost=0.00..77.00 rows=5000 width=9)\n"
    )
    [finding] = findings_in(RULE, text)
    assert finding.evidence["inner_loops"] == 333 and "planner estimates" in finding.evidence["source"]
