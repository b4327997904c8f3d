"""Budgeted selection of an index set for a whole workload, in the spirit of Extend (Schlosser,
Kossmann, Boissier: "Efficient Scalable Multi-Attribute Index Selection Using Recursive
Strategies", ICDE 2019; evaluated in "Magic mirror in my hand…", VLDB 2020).

Greedy on benefit per byte: at each step every move is priced — add a new index (any prefix of a
candidate path, so one-column starts and multi-column jumps are both seen) or widen a chosen index
by one column / to its covering variant — and the move with the best cost reduction per added
byte that fits the budget wins. The search stops when the best move gains less than
``min_gain`` of the workload's cost. Sizes are real bytes (:mod:`size`), not hypopg's estimate.

Costs come from a callable, so this module never talks to a database: ``cost(query, config)``
answers the planner's cost of one query with a configuration of candidates (only those on the
tables that query reads are passed, which makes the caller's cache effective).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from dbexpert.advisors.index.candidates import Candidate, Rejected

MIN_GAIN = 0.002  # of the workload's cost: below it a move is noise in the planner's estimate
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
class Recommendation:
    candidate: Candidate
    size_bytes: int
    queries: tuple[int, ...]  # work item numbers whose final plan uses it
    benefit: float  # weighted workload cost it saves, with the rest of the set in place
    reason: str


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
) -> Selection:
    """Choose indexes from ``paths`` for ``items`` within ``budget_bytes`` and ``max_indexes``.

    ``write_factor`` maps a table to the share of an index's read benefit that survives its write
    cost (1.0 for read-only tables). ``existing`` says whether an index the table already has
    serves a candidate: a path's prefix (``(a)`` of ``(a) INCLUDE (b)``) may duplicate a primary
    key, and such a move is never made.
    """
    factor = write_factor or {}
    search = _Search(items, cost)
    base = search.total(())
    rejected: list[Rejected] = []
    # Greedy on benefit per byte can spend the budget on many small wins and miss one large index
    # (the knapsack trap); greedy on plain benefit misses the reverse. Both runs share the cost
    # cache, and the cheaper final configuration wins (the ratio run on ties).
    runs = [
        _greedy(
            search, paths, size_of, budget_bytes, max_indexes, factor, min_gain * base, max_width, by_ratio,
            existing or (lambda candidate: False),
        )
        for by_ratio in (True, False)
    ]
    chosen, steps = min(runs, key=lambda run: search.total(tuple(run[0])))
    chosen, unused = _drop_unused(search, chosen)
    rejected.extend(Rejected(c.table, c.sql(name=False), "no plan of the workload uses it") for c in unused)
    final = tuple(chosen)
    costs = tuple(
        QueryCost(item.number, search.item(item, ()).cost, search.item(item, final).cost) for item in items
    )
    recommended = tuple(_recommendation(search, c, final, size_of(c)) for c in final)
    return Selection(recommended, tuple(rejected), costs, base, search.total(final), steps)


def _greedy(
    search: _Search,
    paths: Sequence[Candidate],
    size_of: Callable[[Candidate], int],
    budget_bytes: int,
    max_indexes: int,
    factor: Mapping[str, float],
    noise: float,
    max_width: int,
    by_ratio: bool,
    existing: Callable[[Candidate], bool],
) -> tuple[list[Candidate], int]:
    """One greedy run: the best move (per added byte, or in absolute gain) until none gains more
    than ``noise``; the chosen indexes and the number of steps.

    Lazy evaluation (as in CELF): a move's score from an earlier step bounds its score now, since
    a move gains less once other indexes are in place; moves are priced best bound first, and the
    pricing stops when the best fresh score beats every remaining bound. When no move gains, every
    move has been priced afresh, so the stopping point is exact."""
    chosen: list[Candidate] = []
    current = search.total(())
    steps = 0
    bounds: dict[tuple[object, ...], float] = {}
    while True:
        best: tuple[float, Candidate, Candidate | None] | None = None
        used_bytes = sum(size_of(c) for c in chosen)
        moves = []
        for new, old in _moves(paths, chosen, max_width):
            if (old is None and len(chosen) >= max_indexes) or existing(new):
                continue
            added = size_of(new) - (size_of(old) if old is not None else 0)
            if used_bytes + added > budget_bytes:
                continue
            key = (new.signature, old.signature if old is not None else None)
            moves.append((bounds.get(key, math.inf), key, added, new, old))
        moves.sort(key=lambda move: -move[0])  # stable: equal bounds keep the order of _moves
        for bound, key, added, new, old in moves:
            if best is not None and bound <= best[0]:
                break
            config = tuple(c for c in chosen if c is not old) + (new,)
            gain = (current - search.total(config)) * factor.get(new.table, 1.0)
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
