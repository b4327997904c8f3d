"""Candidates from table access, and the budgeted greedy selection over a deterministic cost model."""

from __future__ import annotations

from dataclasses import replace

from dbexpert.advisors.index.candidates import Candidate, candidates_for, estimated_bytes, served_by_existing
from dbexpert.advisors.index.select import Evaluation, WorkItem, select
from dbexpert.model import ColumnStats, PrimaryKey, Table, TableStats
from dbexpert.sql.query.index_candidates import TableAccess
from tests.factories import catalog, col, idx


def orders(*indexes: object) -> Table:
    status = replace(
        col("status", "text"),
        stats=ColumnStats(distinct=3, avg_width=5, most_common_values=("done", "open"), most_common_freqs=(0.9, 0.08)),
    )
    return Table(
        "orders",
        "public",
        columns=(
            col("id", "bigint"),
            replace(col("customer_id", "bigint"), stats=ColumnStats(distinct=50_000, avg_width=8)),
            status,
            replace(col("created_at", "timestamptz"), stats=ColumnStats(distinct=-1, avg_width=8)),
            col("total", "numeric"),
        ),
        primary_key=PrimaryKey(("id",)),
        indexes=tuple(indexes),  # type: ignore[arg-type]
        stats=TableStats(row_estimate=1_000_000),
    )


def test_equality_first_then_range_then_covering() -> None:
    access = TableAccess(
        "orders", equality=("status", "customer_id"), ranges=("created_at",), columns=("customer_id", "status", "created_at", "total")
    )
    found = candidates_for([(1, access)], catalog(orders()), max_width=3)
    keys = {(c.keys, c.include) for c in found.paths}
    # the most distinct equality column leads; the range column comes last
    assert (("customer_id", "status", "created_at"), ()) in keys
    assert (("customer_id", "status", "created_at"), ("total",)) in keys


def test_existing_index_and_primary_key_serve_candidates() -> None:
    access = TableAccess("orders", equality=("customer_id",), joins=("id",), columns=("customer_id", "id"))
    found = candidates_for([(1, access)], catalog(orders(idx("orders_customer_idx", "customer_id"))))
    reasons = {r.what: r.reason for r in found.rejected}
    assert reasons["CREATE INDEX ON orders (customer_id)"] == "already served by the existing index orders_customer_idx"
    assert "existing index" in reasons["CREATE INDEX ON orders (id)"]


def test_partial_candidate_only_for_a_rare_value_on_a_skewed_column() -> None:
    rare = TableAccess("orders", equality=("status",), ranges=("created_at",), constants=(("status", "status = 'failed'"),))
    common = TableAccess("orders", equality=("status",), constants=(("status", "status = 'done'"),))
    table = catalog(orders())
    partial = [c for c in candidates_for([(1, rare)], table).paths if c.where]
    assert [(c.keys, c.where) for c in partial] == [(("created_at",), "status = 'failed'")]
    assert not [c for c in candidates_for([(1, common)], table).paths if c.where]


def test_candidate_sql_and_names() -> None:
    candidate = Candidate("public.orders", ("customer_id", "created_at"), include=("total",), schema="public")
    assert candidate.sql(concurrently=True) == (
        "CREATE INDEX CONCURRENTLY orders_customer_id_created_at_incl_total_idx ON orders (customer_id, created_at) INCLUDE (total)"
    )
    expression = Candidate("public.users", ("lower(email)",), expression=True, schema="public")
    assert expression.sql() == "CREATE INDEX users_lower_email_idx ON users ((lower(email)))"
    long = Candidate("public.t", tuple(f"column_number_{i}" for i in range(6)), schema="public")
    assert len(long.name) == 63


def test_deduplication_makes_low_distinct_indexes_smaller() -> None:
    table = orders()
    by_status = estimated_bytes(Candidate("public.orders", ("status",)), table)
    by_time = estimated_bytes(Candidate("public.orders", ("created_at",)), table)
    assert by_status < by_time / 2  # 3 distinct values: posting lists of 6-byte heap pointers


# -- selection over a deterministic cost model ---------------------------------------------------------

A, AB, C = ("public.t", ("a",)), ("public.t", ("a", "b")), ("public.t", ("c",))


def model(item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
    """Query 1 wants (a, b): 100 -> 40 with (a), -> 5 with (a, b). Query 2 wants (c): 50 -> 10."""
    keys = {c.keys: c for c in config}
    if item.number == 1:
        best = keys.get(("a", "b")) or next((c for c in config if c.keys[:1] == ("a",)), None)
        cost = 100.0 if best is None else 5.0 if best.keys == ("a", "b") else 40.0
        return Evaluation(cost, frozenset({best}) if best else frozenset())
    found = keys.get(("c",))
    return Evaluation(10.0 if found else 50.0, frozenset({found}) if found else frozenset())


PATHS = [Candidate("public.t", ("a", "b")), Candidate("public.t", ("c",)), Candidate("public.t", ("d",))]
ITEMS = [WorkItem(1, 1.0, frozenset({"public.t"})), WorkItem(2, 1.0, frozenset({"public.t"}))]


def sizes(candidate: Candidate) -> int:
    return 100_000 * len(candidate.keys)


def test_greedy_widens_within_budget_and_rejects_nothing_useful() -> None:
    chosen = select(ITEMS, PATHS, sizes, model, budget_bytes=300_000)
    assert sorted(r.candidate.keys for r in chosen.recommended) == [("a", "b"), ("c",)]
    assert chosen.size_bytes <= 300_000
    assert chosen.cost_before == 150 and chosen.cost_after == 15
    assert {c.number: (c.before, c.after) for c in chosen.costs} == {1: (100, 5), 2: (50, 10)}


def test_budget_is_never_exceeded() -> None:
    chosen = select(ITEMS, PATHS, sizes, model, budget_bytes=150_000)
    assert chosen.size_bytes <= 150_000
    assert [r.candidate.keys for r in chosen.recommended] == [("a",)]  # 60 saved per 100 kB beats 40


def test_max_indexes_and_benefit_attribution() -> None:
    chosen = select(ITEMS, PATHS, sizes, model, budget_bytes=10**9, max_indexes=1)
    assert len(chosen.recommended) == 1
    only = chosen.recommended[0]
    assert only.benefit == 95 and only.queries == (1,)


def test_write_heavy_tables_discount_the_benefit() -> None:
    chosen = select(ITEMS, PATHS, sizes, model, budget_bytes=10**9, write_factor={"public.t": 0.001})
    assert chosen.recommended == ()  # every gain shrinks below the noise threshold


def test_covering_variants_of_one_key_get_distinct_names() -> None:
    first = Candidate("public.orders", ("created_at",), include=("total",), schema="public")
    second = Candidate("public.orders", ("created_at",), include=("status",), schema="public")
    partial = Candidate("public.orders", ("created_at",), where="status = 'failed'", schema="public")
    other = replace(partial, where="status = 'open'")
    assert len({first.name, second.name, partial.name, other.name}) == 4


def test_widening_reaches_a_column_no_path_puts_in_the_key() -> None:
    """Extend's widening: (a) grows to (a, b) because a query reads b with a, although the only
    path is (a) INCLUDE (b)."""

    def wants_ab(item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
        best = next((c for c in config if c.keys == ("a", "b")), None) or next(
            (c for c in config if c.keys[:1] == ("a",)), None
        )
        cost = 100.0 if best is None else 5.0 if best.keys == ("a", "b") else 40.0
        return Evaluation(cost, frozenset({best}) if best else frozenset())

    paths = [Candidate("public.t", ("a",), include=("b",))]
    chosen = select(ITEMS[:1], paths, sizes, wants_ab, budget_bytes=300_000)
    assert [r.candidate.keys for r in chosen.recommended] == [("a", "b")]
    assert chosen.cost_after == 5
    narrow = select(ITEMS[:1], paths, sizes, wants_ab, budget_bytes=300_000, max_width=1)
    assert [r.candidate.keys for r in narrow.recommended] == [("a",)]


def test_one_large_index_beats_many_small_wins_when_it_saves_more() -> None:
    """Benefit per byte alone would take (c) first and leave no room for (x, y), which saves more."""

    def knapsack(item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
        wanted = ("x", "y") if item.number == 1 else ("c",)
        found = next((c for c in config if c.keys == wanted), None)
        before, after = (100.0, 10.0) if item.number == 1 else (60.0, 10.0)
        return Evaluation(after if found else before, frozenset({found}) if found else frozenset())

    paths = [Candidate("public.t", ("x", "y")), Candidate("public.t", ("c",))]
    chosen = select(ITEMS, paths, sizes, knapsack, budget_bytes=200_000)
    assert [r.candidate.keys for r in chosen.recommended] == [("x", "y")]
    assert chosen.cost_after == 70 and chosen.size_bytes <= 200_000


def test_a_prefix_the_primary_key_already_serves_is_never_chosen() -> None:
    """(id) INCLUDE (total) is a path; its prefix (id) would duplicate the primary key."""
    table = orders()
    path = Candidate("public.orders", ("id",), include=("total",))

    def wants_id(item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
        found = next((c for c in config if c.keys == ("id",)), None)
        cost = 100.0 if found is None else 10.0 if found.include else 50.0
        return Evaluation(cost, frozenset({found}) if found else frozenset())

    def existing(candidate: Candidate) -> bool:
        return served_by_existing(candidate, table) is not None

    items = [WorkItem(1, 1.0, frozenset({"public.orders"}))]
    chosen = select(items, [path], lambda c: 8192 * (1 + len(c.include)), wants_id, 10**9, existing=existing)
    assert [(r.candidate.keys, r.candidate.include) for r in chosen.recommended] == [(("id",), ("total",))]
    blind = select(items, [path], lambda c: 8192 * (1 + len(c.include)), wants_id, 10**9)
    assert blind.steps == 2  # without it, the plain (id) is taken first and then widened


def test_a_query_is_costed_only_with_indexes_it_could_use() -> None:
    seen: dict[int, set[tuple[str, ...]]] = {1: set(), 2: set()}

    def recording(item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
        seen[item.number] |= {c.keys for c in config}
        return model(item, config)

    items = [
        WorkItem(1, 1.0, frozenset({"public.t"}), frozenset({("public.t", "a"), ("public.t", "b")})),
        WorkItem(2, 1.0, frozenset({"public.t"}), frozenset({("public.t", "c")})),
    ]
    chosen = select(items, PATHS, sizes, recording, budget_bytes=300_000)
    assert sorted(r.candidate.keys for r in chosen.recommended) == [("a", "b"), ("c",)]
    assert chosen.cost_after == 15
    # (c) and (d) lead with a column query 1 does not read: its plan could not use them
    assert all(keys[0] in ("a",) for keys in seen[1]) and all(keys == ("c",) for keys in seen[2])
    # a query naming no column of the table (count(*)) is still costed with every index of it
    blind = WorkItem(3, 1.0, frozenset({"public.t"}), frozenset({("public.u", "x")}))
    select([blind], PATHS, sizes, lambda item, config: recording(replace(item, number=2), config), 10**9)
    assert ("d",) in seen[2]


def test_lazy_pricing_still_stops_exactly() -> None:
    chosen = select(ITEMS, PATHS, sizes, model, budget_bytes=10**9)
    # the eager search reaches the same set: (a, b) for query 1, (c) for query 2, nothing for (d)
    assert sorted(r.candidate.keys for r in chosen.recommended) == [("a", "b"), ("c",)]
    assert chosen.cost_after == 15
    assert "no plan of the workload uses it" not in {r.reason for r in chosen.rejected}
