"""Budgeted selection of an index set for a whole workload, in the spirit of Extend (Schlosser,
Kossmann, Boissier: "Efficient Scalable Multi-Attribute Index Selection Using Recursive
Strategies", ICDE 2019; evaluated in "Magic mirror in my hand…", VLDB 2020).

Greedy on benefit per byte: at each step every move is priced — add a new index (any prefix of a
candidate path, so one-column starts and multi-column jumps are both seen) or widen a chosen index
by one column / to its covering variant — and the move with the best cost reduction per added
byte that fits the budget wins. The search stops when the best move gains less than
``min_gain`` of the workload's *current* cost (the cost with the indexes chosen so far): a
threshold relative to the cost before any index lets one query whose estimate dwarfs the rest
stop the search once an index has removed it. Sizes are real bytes (:mod:`size`), not hypopg's
estimate; the budget counts each index at its calibrated upper bound (``bound_of``), so the set
fits in real bytes. Overlapping indexes of the final set are then merged (:mod:`merge`) and the
freed bytes offered to the search once more.

Costs come from a callable, so this module never talks to a database: ``cost(query, config)``
answers the planner's cost of one query with a configuration of candidates (only those on the
tables that query reads are passed, which makes the caller's cache effective).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from dbexpert.advisors.index.candidates import Candidate, Rejected
from dbexpert.advisors.index.merge import Merge, merge_overlaps

MIN_GAIN = 0.002  # of the workload's current cost: below it a move is noise in the planner's estimate
MERGE_TOLERANCE = 0.002  # of the workload's cost: what all merges together may add to it
MAX_WIDTH = 3  # key columns of an index the widening may reach


@dataclass(frozen=True, slots=True)
class Evaluation:
    cost: float
    used: frozenset[Candidate]  # candidates of the configuration the plan uses


@dataclass(frozen=True, slots=True)
class WorkItem:
    number: int
    weight: float
    tables: frozenset[str]  # qualified names of the tables it reads
    # (qualified table, lower-case column) it reads; when given, an index whose leading key is none
    # of them is left out of the query's configuration (the planner cannot use it there)
    columns: frozenset[tuple[str, str]] = frozenset()


CostFunction = Callable[[WorkItem, tuple[Candidate, ...]], Evaluation]


@dataclass(frozen=True, slots=True)
class Space:
    """What a move must fit: the budget (counted in ``bound_of`` bytes), the number of indexes, the
    key width; and how a move is scored (``size_of`` bytes, write discounts)."""

    size_of: Callable[[Candidate], int]
    bound_of: Callable[[Candidate], int]
    budget_bytes: int
    max_indexes: int
    factor: Mapping[str, float]
    min_gain: float
    max_width: int
    existing: Callable[[Candidate], bool]


@dataclass(frozen=True, slots=True)
class Recommendation:
    candidate: Candidate
    size_bytes: int
    queries: tuple[int, ...]  # work item numbers whose final plan uses it
    benefit: float  # weighted workload cost it saves, with the rest of the set in place
    reason: str
    bound_bytes: int = 0  # the size the budget counted: the model's calibrated upper bound


@dataclass(frozen=True, slots=True)
class QueryCost:
    number: int
    before: float
    after: float


@dataclass(frozen=True, slots=True)
class Selection:
    recommended: tuple[Recommendation, ...]
    rejected: tuple[Rejected, ...]
    costs: tuple[QueryCost, ...]
    cost_before: float
    cost_after: float
    steps: int

    @property
    def ratio(self) -> float:
        return self.cost_after / self.cost_before if self.cost_before else 1.0

    @property
    def size_bytes(self) -> int:
        return sum(r.size_bytes for r in self.recommended)

    @property
    def bound_bytes(self) -> int:
        return sum(r.bound_bytes for r in self.recommended)


def select(
    items: Sequence[WorkItem],
    paths: Sequence[Candidate],
    size_of: Callable[[Candidate], int],
    cost: CostFunction,
    budget_bytes: int,
    max_indexes: int = 10,
    write_factor: Mapping[str, float] | None = None,
    min_gain: float = MIN_GAIN,
    max_width: int = MAX_WIDTH,
    existing: Callable[[Candidate], bool] | None = None,
    bound_of: Callable[[Candidate], int] | None = None,
    existing_key: Callable[[Candidate], str | None] | None = None,
    merge_tolerance: float = MERGE_TOLERANCE,
) -> Selection:
    """Choose indexes from ``paths`` for ``items`` within ``budget_bytes`` and ``max_indexes``.

    ``write_factor`` maps a table to the share of an index's read benefit that survives its write
    cost (1.0 for read-only tables). ``existing`` says whether an index the table already has
    serves a candidate: a path's prefix (``(a)`` of ``(a) INCLUDE (b)``) may duplicate a primary
    key, and such a move is never made. ``bound_of`` is the size the budget counts (default
    ``size_of``); ``existing_key`` names an existing index whose key columns begin with a
    candidate's (the merge then tries that index alone).
    """
    space = Space(
        size_of, bound_of or size_of, budget_bytes, max_indexes, write_factor or {}, min_gain, max_width,
        existing or (lambda candidate: False),
    )
    search = _Search(items, cost)
    base = search.total(())
    rejected: list[Rejected] = []
    # Greedy on benefit per byte can spend the budget on many small wins and miss one large index
    # (the knapsack trap); greedy on plain benefit misses the reverse. Both runs share the cost
    # cache, and the cheaper final configuration wins (the ratio run on ties).
    runs = [(*_greedy(search, paths, space, by_ratio), by_ratio) for by_ratio in (True, False)]
    chosen, steps, by_ratio = min(runs, key=lambda run: search.total(tuple(run[0])))
    chosen, unused = _drop_unused(search, chosen)
    # Merge overlapping indexes, give the freed bytes to the search once more, merge what it adds.
    chosen, merges, dropped = _merge(search, chosen, space, existing_key, merge_tolerance)
    unused += dropped
    if merges:
        chosen, more = _greedy(search, paths, space, by_ratio, start=chosen)
        steps += more
        chosen, dropped = _drop_unused(search, chosen)
        unused += dropped
        chosen, again, dropped = _merge(search, chosen, space, existing_key, merge_tolerance)
        merges += again
        unused += dropped
    rejected.extend(Rejected(c.table, c.sql(name=False), "no plan of the workload uses it") for c in unused)
    rejected.extend(_merged_away(merge) for merge in merges)
    final = tuple(chosen)
    costs = tuple(
        QueryCost(item.number, search.item(item, ()).cost, search.item(item, final).cost) for item in items
    )
    recommended = tuple(
        replace(_recommendation(search, c, final, space.size_of(c)), bound_bytes=space.bound_of(c)) for c in final
    )
    return Selection(recommended, tuple(rejected), costs, base, search.total(final), steps)


def _merge(
    search: _Search,
    chosen: list[Candidate],
    space: Space,
    existing_key: Callable[[Candidate], str | None] | None,
    tolerance: float,
) -> tuple[list[Candidate], list[Merge], list[Candidate]]:
    """``chosen`` with its overlaps merged, the merges, and what no plan uses afterwards."""
    merged, merges = merge_overlaps(chosen, search.total, (space.size_of, space.bound_of), tolerance, existing_key)
    if not merges:
        return chosen, [], []
    kept, unused = _drop_unused(search, merged)
    return kept, merges, unused


def _merged_away(merge: Merge) -> Rejected:
    gone = merge.replaced[0]
    what = " and ".join(c.sql(name=False) for c in merge.replaced)
    into = merge.into.sql(name=False) if merge.into is not None else f"the existing index {merge.existing}"
    return Rejected(
        gone.table,
        what,
        f"merged into {into}: {merge.saved_bytes / 2**20:.1f} MB less, estimated workload cost "
        f"{merge.cost_change * 100:+.2f} %",
    )


def _greedy(
    search: _Search,
    paths: Sequence[Candidate],
    space: Space,
    by_ratio: bool,
    start: Sequence[Candidate] = (),
) -> tuple[list[Candidate], int]:
    """One greedy run from ``start``: the best move (per added byte, or in absolute gain) until
    none gains more than ``space.min_gain`` of the current cost; the chosen indexes and the number
    of steps.

    Lazy evaluation (as in CELF): a move's score from an earlier step bounds its score now, since
    a move gains less once other indexes are in place; moves are priced best bound first, and the
    pricing stops when the best fresh score beats every remaining bound. When no move gains, every
    move has been priced afresh, so the stopping point is exact."""
    chosen: list[Candidate] = list(start)
    current = search.total(tuple(chosen))
    steps = 0
    bounds: dict[tuple[object, ...], float] = {}
    size_of, bound_of = space.size_of, space.bound_of
    while True:
        best: tuple[float, Candidate, Candidate | None] | None = None
        used_bytes = sum(bound_of(c) for c in chosen)
        noise = space.min_gain * current
        moves = []
        for new, old in _moves(paths, chosen, space.max_width):
            if (old is None and len(chosen) >= space.max_indexes) or space.existing(new):
                continue
            if used_bytes + bound_of(new) - (bound_of(old) if old is not None else 0) > space.budget_bytes:
                continue
            added = size_of(new) - (size_of(old) if old is not None else 0)
            key = (new.signature, old.signature if old is not None else None)
            moves.append((bounds.get(key, math.inf), key, added, new, old))
        moves.sort(key=lambda move: -move[0])  # stable: equal bounds keep the order of _moves
        for bound, key, added, new, old in moves:
            if best is not None and bound <= best[0]:
                break
            config = tuple(c for c in chosen if c is not old) + (new,)
            gain = (current - search.total(config)) * space.factor.get(new.table, 1.0)
            score = gain / max(added, 8192) if by_ratio else gain
            bounds[key] = score
            if gain <= max(noise, 1e-9):
                continue
            if best is None or score > best[0]:
                best = (score, new, old)
        if best is None:
            return chosen, steps
        _, new, old = best
        chosen = [c for c in chosen if c is not old] + [new]
        current = search.total(tuple(chosen))
        steps += 1


class _Search:
    def __init__(self, items: Sequence[WorkItem], cost: CostFunction) -> None:
        self.items = items
        self._cost = cost
        self._order: dict[Candidate, str] = {}  # a stable order of a configuration's indexes

    def item(self, item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
        relevant = tuple(sorted((c for c in config if _relevant(item, c)), key=self._sql))
        return self._cost(item, relevant)

    def _sql(self, candidate: Candidate) -> str:
        found = self._order.get(candidate)
        if found is None:
            found = self._order[candidate] = candidate.sql()
        return found

    def total(self, config: tuple[Candidate, ...]) -> float:
        return sum(item.weight * self.item(item, config).cost for item in self.items)


def _relevant(item: WorkItem, candidate: Candidate) -> bool:
    """Whether the planner could use ``candidate`` for ``item``: it is on a table the query reads and
    (for a column index, when the query's columns are known) its leading key is a column it reads.
    Leaving the others out lets one cached cost serve every configuration that differs only there."""
    if candidate.table not in item.tables:
        return False
    if candidate.expression or not any(table == candidate.table for table, _ in item.columns):
        return True  # no column of this table is known (count(*) may still scan any index of it)
    return (candidate.table, candidate.keys[0].lower()) in item.columns


def _moves(
    paths: Sequence[Candidate], chosen: Sequence[Candidate], max_width: int = MAX_WIDTH
) -> list[tuple[Candidate, Candidate | None]]:
    """(new index, the chosen index it replaces or None) for every move from ``chosen``."""
    moves: dict[tuple[object, ...], tuple[Candidate, Candidate | None]] = {}
    have = {c.signature for c in chosen}
    # Extend's widening: a chosen index grows by one key column that a query reads together with
    # its leading column, not only along the paths the candidates were built as.
    for index in chosen:
        if index.expression or len(index.keys) >= max_width:
            continue
        for column in _companions(paths, index):
            wider = index.widen(column)
            if wider.signature not in have:
                moves.setdefault((wider.signature, index.signature), (wider, index))
    for path in paths:
        variants = [path.prefix(n) for n in range(1, len(path.keys) + 1)]
        if path.include:
            variants.append(path)
        for variant in variants:
            if variant.signature in have:
                continue
            grown = next((c for c in chosen if _grows(c, variant)), None)
            key = (variant.signature, grown.signature if grown else None)
            moves.setdefault(key, (variant, grown))
            if grown is not None:  # a new index beside the one it would widen is a move too
                moves.setdefault((variant.signature, None), (variant, None))
    return list(moves.values())


def _companions(paths: Sequence[Candidate], index: Candidate) -> list[str]:
    """Columns of the paths on ``index``'s table (same predicate) that hold its leading column."""
    found: list[str] = []
    for path in paths:
        if path.table != index.table or path.where != index.where or path.expression:
            continue
        columns = (*path.keys, *path.include)
        if index.keys[0] not in columns:
            continue
        found += [c for c in columns if c not in index.keys and c not in found]
    return found


def _grows(old: Candidate, new: Candidate) -> bool:
    """``new`` is ``old`` widened: same table and predicate, ``old``'s keys first."""
    return (
        old.table == new.table
        and old.where == new.where
        and old.expression == new.expression
        and new.keys[: len(old.keys)] == old.keys
        and (len(new.keys), len(new.include)) > (len(old.keys), len(old.include))
    )


def _drop_unused(search: _Search, chosen: list[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    config = tuple(chosen)
    used: set[Candidate] = set()
    for item in search.items:
        used |= search.item(item, config).used
    return [c for c in chosen if c in used], [c for c in chosen if c not in used]


def _recommendation(search: _Search, candidate: Candidate, final: tuple[Candidate, ...], size: int) -> Recommendation:
    without = tuple(c for c in final if c is not candidate)
    served = tuple(item.number for item in search.items if candidate in search.item(item, final).used)
    benefit = search.total(without) - search.total(final)
    what = []
    if candidate.expression:
        what.append("expression index for a function predicate")
    if candidate.include:
        what.append("covering (INCLUDE) for index-only scans")
    if candidate.where:
        what.append(f"partial for the rare constant predicate {candidate.where}")
    lead = "; ".join(what) or f"B-tree on ({', '.join(candidate.keys)})"
    reason = f"{lead}; used by {len(served)} workload quer{'y' if len(served) == 1 else 'ies'}"
    return replace(Recommendation(candidate, size, served, round(benefit, 2), reason))
