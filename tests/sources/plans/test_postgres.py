"""EXPLAIN text and JSON, bare or as psql prints them, read into the same Plan; bad input is a clean error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.model import InputError
from dbexpert.sources.plans import parse_plan
from tests.sources.plans.fixtures import FIXTURES, fixture_text, load


def _shape(name: str) -> list[tuple[object, ...]]:
    return [
        (n.node_type, n.relation, n.alias, n.index_name, n.parallel, n.plan_rows, n.actual_loops, n.filter)
        for n in load(name).nodes()
    ]


def test_text_analyze_buffers_with_psql_decoration():
    plan = load("seq_text.txt")
    assert plan.format == "text" and plan.analyzed
    assert (plan.planning_time, plan.execution_time) == (0.257, 9.306)
    node = plan.root
    assert node.label == "Seq Scan on orders" and node.line == 3 and not node.children
    assert (node.startup_cost, node.total_cost, node.plan_rows, node.plan_width) == (0.0, 3974.0, 2000, 31)
    assert (node.actual_rows, node.actual_loops, node.actual_total_time) == (2000, 1, 9.212)
    assert node.filter == "(status = 'refunded'::text)" and node.rows_removed_by_filter == 198000
    assert (node.shared_hit, node.shared_read) == (1474, 0)
    assert node.rows_read == 200000


@pytest.mark.parametrize(
    ("text_name", "json_name"),
    [
        ("seq_text.txt", "seq.json"),
        ("seq_text.txt", "seq_psql_json.txt"),
        ("estimate_bad.txt", "estimate_bad.json"),
        ("nl_seq.txt", "nl_seq.json"),
        ("sort_disk.txt", "sort_disk.json"),
    ],
)
def test_text_and_json_give_the_same_tree(text_name: str, json_name: str):
    assert _shape(text_name) == _shape(json_name)
    assert load(json_name).format == "json"


def test_nesting_sorts_joins_and_hashes():
    plan = load("estimate_good.txt")
    gather = plan.root
    [sort] = gather.children
    assert sort.sort_key == ("c.region",) and sort.sort_method == "quicksort"
    assert (sort.sort_space_type, sort.sort_space_kb) == ("Memory", 34)
    [join] = sort.children
    assert join.node_type == "Hash Join" and join.hash_cond == "(e.id = c.id)"
    scan, hash_node = join.children
    assert scan.parallel and scan.label == "Parallel Seq Scan on events e" and scan.line == 15
    assert hash_node.hash_batches == 1 and hash_node.children[0].relation == "customers"
    assert plan.root.attrs["Workers Launched"] == "1"


def test_external_sort_settings_and_index_scans():
    spill = load("sort_disk_settings.txt").root
    assert (spill.sort_method, spill.sort_space_type, spill.sort_space_kb) == ("external merge", "Disk", 4840)
    assert load("sort_disk_settings.txt").settings == {"work_mem": "64kB"}
    inner = load("nl_index.txt").root.children[1]
    assert inner.index_name == "coupons_customer_id_idx" and inner.relation == "coupons"
    assert inner.alias == "k" and inner.index_cond == "(customer_id = c.id)" and inner.shared_read == 2


def test_without_analyze_and_without_costs():
    plan = load("noanalyze.txt")
    assert not plan.analyzed and plan.execution_time is None
    assert [n.node_type for n in plan.nodes()] == ["Sort", "Hash Join", "Seq Scan", "Hash", "Seq Scan"]
    bare = load("costs_off.txt").root
    assert bare.label == "Index Scan using orders_pkey on orders" and bare.plan_rows is None


def test_pasted_text_variants():
    text = (
        "Nested Loop Left Join  (cost=0.00..10.00 rows=1 width=8) (actual rows=0 loops=1)\n"
        "  ->  Seq Scan on public.a  (cost=0.00..1.00 rows=1 width=4) (never executed)\n"
        "  SubPlan 1\n"
        "    ->  Bitmap Index Scan on a_idx  (cost=0.00..1.00 rows=1 width=0) (actual rows=0 loops=1)\n"
    )
    root = parse_plan(text).root
    assert root.node_type == "Nested Loop" and root.attrs["Join Type"] == "Left"
    assert root.actual_total_time is None and root.actual_rows == 0
    scan, bitmap = root.children
    assert scan.never_executed and (scan.schema, scan.relation) == ("public", "a")
    assert (
        bitmap.index_name == "a_idx" and bitmap.relation is None and bitmap.parent_relationship == "SubPlan 1"
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "<stdin>:1:1"),
        ("hello world", "<stdin>:1:1"),
        ("Seq Scan on t  (cost=0.00..39", "<stdin>:1:16"),
        ("Sort  (cost=1.00..2.00 rows=1 width=4)\n  ->  Seq Scan on t  (cost=0.0", "<stdin>:2:22"),
        ("Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n  Rows Removed by Filter: lots", "<stdin>:2:27"),
        ('[{"Plan": {"Node Type": "Seq Scan",', "<stdin>:1:36"),
        ('[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": "many"}}]', "<stdin>:1:1"),
        ('{"Query": 1}', "<stdin>:1:1"),
        ("<explain />", "<stdin>:1:1"),
    ],
)
def test_broken_input_is_an_input_error_with_a_position(text: str, where: str):
    with pytest.raises(InputError) as error:
        parse_plan(text)
    assert str(error.value).startswith(where + ":"), str(error.value)


def test_truncated_psql_json_points_at_the_input_line():
    lines = fixture_text("seq_psql_json.txt").splitlines()[:12]
    with pytest.raises(InputError, match=r"^plan\.txt:12:"):
        parse_plan("\n".join(lines), "plan.txt")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(p.name for p in FIXTURES.iterdir() if p.is_file())), st.integers(0, 5000), st.text(max_size=5))
def test_any_cut_or_edit_of_a_plan_parses_or_fails_cleanly(name: str, cut: int, junk: str):
    text = fixture_text(name)
    try:
        parse_plan(text[:cut] + junk + text[cut + len(junk) :])
    except InputError:
        pass


@pytest.mark.parametrize("suffix", ["txt", "json"])
def test_counters_the_rules_read_in_text_and_json(suffix: str):
    lossy = load(f"pg_bitmap_lossy.{suffix}").root
    assert (lossy.exact_heap_blocks, lossy.lossy_heap_blocks, lossy.rows_removed_by_index_recheck) == (
        992,
        1556,
        219589,
    )
    hash_node = load(f"pg_hash_batches.{suffix}").root.children[1]
    assert (hash_node.hash_batches, hash_node.peak_memory_kb, hash_node.temp_written) == (16, 78, 87)
    aggregate = load(f"pg_hashagg_disk.{suffix}").root
    assert (aggregate.planned_partitions, aggregate.hash_batches, aggregate.disk_usage_kb) == (4, 341, 13336)
    assert (aggregate.temp_read, aggregate.temp_written) == (4822, 6038)
    scan = load(f"pg_index_only_fetches.{suffix}").root.children[0]
    assert scan.heap_fetches == 120000
    gather = load(f"pg_parallel_not_launched.{suffix}").root.children[0]
    assert (gather.workers_planned, gather.workers_launched) == (1, 0)
    jit = load(f"pg_jit_dominates.{suffix}").jit
    assert jit is not None and jit.functions == 9 and jit.options["Inlining"] is True
    assert jit.total_ms is not None and jit.inlining_ms is not None and jit.total_ms > jit.inlining_ms


def test_planning_buffers_and_original_batches():
    assert dict(load("pg_hash_batches.txt").planning_buffers) == {"hit": 80, "read": 11, "dirtied": 2}
    plan = parse_plan(
        "Hash  (cost=1.00..1.00 rows=10 width=4) (actual time=1.0..1.0 rows=10 loops=1)\n"
        "  Buckets: 65536 (originally 1024)  Batches: 4 (originally 1)  Memory Usage: 3585kB\n",
        "h.txt",
    )
    assert (plan.root.hash_batches, plan.root.original_hash_batches, plan.root.peak_memory_kb) == (4, 1, 3585)
    assert load("pg_hash_batches.json").root.children[1].original_hash_batches == 16
