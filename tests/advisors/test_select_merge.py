"""The selection's stop rule (relative to the current cost), its budget counted in upper-bound
bytes, and the merging of overlapping indexes, over deterministic cost models."""

from __future__ import annotations

from dbexpert.advisors.index.candidates import Candidate
from dbexpert.advisors.index.merge import merge_overlaps, merged, overlap
from dbexpert.advisors.index.select import Evaluation, WorkItem, select

T = "public.t"
ITEMS = [WorkItem(1, 1.0, frozenset({T})), WorkItem(2, 1.0, frozenset({T}))]


def sizes(candidate: Candidate) -> int:
    return 100_000 * (len(candidate.keys) + len(candidate.include))


def uses(config: tuple[Candidate, ...], test: object) -> Candidate | None:
    return next((c for c in config if test(c)), None)  # type: ignore[operator]


def dominant(item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
    """Query 1 costs 10⁹ without (a) and 10³ with it; query 2 costs 5,000, 1,000 with (c)."""
    wanted = ("a",) if item.number == 1 else ("c",)
    found = uses(config, lambda c: c.keys == wanted)
    before, after = (1e9, 1e3) if item.number == 1 else (5_000.0, 1_000.0)
    return Evaluation(after if found else before, frozenset({found}) if found else frozenset())


def test_the_search_goes_on_once_a_dominant_query_is_served() -> None:
    paths = [Candidate(T, ("a",)), Candidate(T, ("c",))]
    chosen = select(ITEMS, paths, sizes, dominant, budget_bytes=10**9)
    # 4,000 saved is 0.0004 % of the cost before any index, but 67 % of the cost once (a) is there
    assert sorted(r.candidate.keys for r in chosen.recommended) == [("a",), ("c",)]
    assert {c.number: c.after for c in chosen.costs} == {1: 1e3, 2: 1e3}


def test_the_stop_rule_still_ignores_noise_relative_to_the_current_cost() -> None:
    def noisy(item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
        found = uses(config, lambda c: c.keys == ("c",))
        cost = 1_000.0 if item.number == 1 else 10.0 - (0.01 if found else 0.0)  # 0.001 % of 1,010
        return Evaluation(cost, frozenset({found}) if found else frozenset())

    assert select(ITEMS, [Candidate(T, ("c",))], sizes, noisy, budget_bytes=10**9).recommended == ()


def test_the_budget_counts_the_upper_bound_of_each_size() -> None:
    paths = [Candidate(T, ("a",)), Candidate(T, ("c",))]
    fits = select(ITEMS, paths, sizes, dominant, budget_bytes=200_000)
    assert len(fits.recommended) == 2
    # modelled at 100 kB each, each may take 110 kB once built: only one fits 200 kB for sure
    bounded = select(ITEMS, paths, sizes, dominant, budget_bytes=200_000, bound_of=lambda c: sizes(c) * 11 // 10)
    assert [r.candidate.keys for r in bounded.recommended] == [("a",)]
    assert bounded.bound_bytes <= 200_000 and bounded.recommended[0].bound_bytes == 110_000
    assert bounded.size_bytes == 100_000


# -- merging -----------------------------------------------------------------------------------------

KEY_STATUS = Candidate(T, ("k", "status"))
KEY_PRIORITY = Candidate(T, ("k",), include=("priority",))


def test_overlap_and_the_merged_index() -> None:
    assert overlap(KEY_STATUS, KEY_PRIORITY)
    both = merged(KEY_STATUS, KEY_PRIORITY)
    assert (both.keys, both.include) == (("k", "status"), ("priority",))
    assert not overlap(KEY_STATUS, Candidate(T, ("status", "k")))  # another leading column
    assert not overlap(KEY_STATUS, Candidate("public.u", ("k",)))
    assert not overlap(KEY_STATUS, Candidate(T, ("k",), where="status = 'x'"))
    same_key = merged(Candidate(T, ("k",), include=("a",)), Candidate(T, ("k",), include=("b", "a")))
    assert (same_key.keys, same_key.include) == (("k",), ("a", "b"))


def served_by(config: tuple[Candidate, ...], keys: tuple[str, ...], column: str) -> bool:
    """An index leading with ``keys`` that holds ``column`` (as a key or INCLUDE)."""
    return any(c.keys[: len(keys)] == keys and column in (*c.keys, *c.include) for c in config)


def by_status_and_priority(item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
    """Query 1 wants (k, status): 100 -> 10; query 2 reads priority by k: 100 -> 20 with an index
    on k holding priority, -> 60 with any index on k (a heap fetch per row)."""
    used = frozenset(c for c in config if c.keys[:1] == ("k",))
    if item.number == 1:
        return Evaluation(10.0 if served_by(config, ("k", "status"), "status") else 100.0, used)
    cost = 20.0 if served_by(config, ("k",), "priority") else 60.0 if used else 100.0
    return Evaluation(cost, used)


def total(config: tuple[Candidate, ...]) -> float:
    return sum(by_status_and_priority(item, config).cost for item in ITEMS)


def test_two_indexes_on_one_key_prefix_are_merged_when_the_cost_holds() -> None:
    chosen, merges = merge_overlaps([KEY_STATUS, KEY_PRIORITY], total, (sizes,), tolerance=0.002)
    assert [(c.keys, c.include) for c in chosen] == [(("k", "status"), ("priority",))]
    assert total(tuple(chosen)) == total((KEY_STATUS, KEY_PRIORITY)) == 30
    (merge,) = merges
    assert merge.saved_bytes == 100_000 and merge.cost_change == 0.0  # 400 kB -> 300 kB


def test_a_merge_that_makes_the_workload_dearer_is_refused() -> None:
    def wide_is_slow(config: tuple[Candidate, ...]) -> float:  # the wider index costs query 2 more
        penalty = 5.0 if any(c.include and len(c.keys) > 1 for c in config) else 0.0
        return total(config) + penalty

    chosen, merges = merge_overlaps([KEY_STATUS, KEY_PRIORITY], wide_is_slow, (sizes,), tolerance=0.002)
    assert chosen == [KEY_STATUS, KEY_PRIORITY] and merges == []
    # with a tolerance above the 17 % it costs, the merge is made
    assert merge_overlaps([KEY_STATUS, KEY_PRIORITY], wide_is_slow, (sizes,), tolerance=0.2)[1]


def test_an_index_an_existing_key_begins_with_goes_when_that_key_serves_as_well() -> None:
    def existing(candidate: Candidate) -> str | None:
        return "t_pkey" if candidate.keys == ("k",) else None

    pkey = Candidate(T, ("k",))  # what the primary key gives, always in place

    def with_pkey(config: tuple[Candidate, ...]) -> float:
        return total((*config, pkey))

    chosen, merges = merge_overlaps([KEY_PRIORITY], with_pkey, (sizes,), 0.002, existing)
    assert chosen == [KEY_PRIORITY] and merges == []  # the INCLUDE column saves query 2 40 of 160
    cheap = merge_overlaps([KEY_PRIORITY], lambda c: 100.0, (sizes,), 0.002, existing)
    assert cheap[0] == [] and cheap[1][0].existing == "t_pkey"


def test_select_merges_and_reports_what_it_merged() -> None:
    # With two key columns at most, the search takes (k, status), then (k) INCLUDE (priority) as a
    # second index; the merge leaves one index serving both queries for less.
    paths = [KEY_PRIORITY, KEY_STATUS]
    chosen = select(ITEMS, paths, sizes, by_status_and_priority, budget_bytes=10**9, max_width=2)
    assert [(r.candidate.keys, r.candidate.include) for r in chosen.recommended] == [(("k", "status"), ("priority",))]
    assert chosen.cost_after == 30
    reasons = [r.reason for r in chosen.rejected if r.reason.startswith("merged into")]
    assert reasons and 'CREATE INDEX ON t (k, "status") INCLUDE (priority)' in reasons[0]
    unmerged = select(
        ITEMS, paths, sizes, by_status_and_priority, budget_bytes=10**9, max_width=2, merge_tolerance=-1.0
    )
    assert len(unmerged.recommended) == 2 and unmerged.size_bytes > chosen.size_bytes
