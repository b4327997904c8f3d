"""Exclusive time per node, time shares and the ranking of plan findings."""

from __future__ import annotations

from dbexpert.api.plan import analyze_plan
from dbexpert.rules.plan._plan import node_times, time_shares
from tests.sources.plans.fixtures import fixture_text, load


def test_exclusive_time_subtracts_children_and_counts_loops():
    plan = load("pg_hash_batches.txt")
    join, orders, hash_node, customers = list(plan.nodes())
    times = node_times(plan)
    total = (join.actual_total_time or 0) * 1
    assert abs(times[id(join)] - (total - orders.actual_total_time - hash_node.actual_total_time)) < 1e-9  # type: ignore[operator]
    assert abs(times[id(hash_node)] - (hash_node.actual_total_time - customers.actual_total_time)) < 1e-9  # type: ignore[operator]
    assert abs(sum(times.values()) - total) < 1e-6


def test_parallel_nodes_count_wall_clock_not_process_sum():
    plan = load("pg_parallel_launched.txt")
    shares = time_shares(plan)
    assert shares.measured_by == "exclusive actual time"
    assert abs(sum(shares.of(n) for n in plan.nodes()) - 1) < 0.01
    assert abs(shares.total - (plan.root.actual_total_time or 0)) < 0.05 * shares.total


def test_estimates_only_plans_rank_by_cost():
    shares = time_shares(load("noanalyze.txt"))
    assert shares.measured_by == "exclusive estimated cost" and shares.total > 0


def test_cure_outranks_symptom_and_every_finding_has_a_share():
    analysis = analyze_plan(fixture_text("pg_large_offset.txt"), "offset.txt")
    [finding] = analysis.findings
    assert finding.evidence["time_share"] > 0
    jit = analyze_plan(fixture_text("pg_jit_dominates.txt"), "jit.txt")
    assert jit.findings[0].rule == "jit-dominates-execution"
    assert jit.findings[0].evidence["time_share_measured_by"] == "JIT Timing Total / Execution Time"
    text = """Seq Scan on big  (cost=0.00..30000.00 rows=100 width=8) (actual time=0.01..90.0 rows=100 loops=1)
  Filter: (k = 7)
  Rows Removed by Filter: 999900
  Buffers: shared hit=10 read=20000
"""
    ranked = analyze_plan(text, "big.txt").findings
    assert [f.rule for f in ranked] == ["seq-scan-large-filter", "low-cache-hit-ratio"]
