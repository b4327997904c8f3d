"""The real on-disk size of a B-tree index, modelled from the table's statistics.

hypopg's own estimate ignores B-tree deduplication (PostgreSQL 13+), so it overestimates indexes
whose keys repeat by about 2×; a budget counted in hypopg bytes would be half spent. The model:

* a leaf tuple is ``MAXALIGN(8-byte header + key and INCLUDE data) + 4-byte line pointer``;
* leaf pages hold ``(8192 - 24 page header - 16 special) × fillfactor 90 %`` bytes of tuples;
* with deduplication (PostgreSQL 13+, non-unique, no INCLUDE, B-tree), rows sharing a key are
  stored as one posting tuple: the key once, then a 6-byte heap pointer per row;
* inner pages add about 1 % and the metapage one page.

The number of distinct keys decides the deduplication, and ``ANALYZE`` underestimates it on a
physically clustered column (``|pg_stats.correlation|`` near 1: ``lineitem.l_orderkey``, a serial
key, rows loaded in key order). ``ANALYZE`` samples ``n`` rows (300 × the largest statistics target
of the table's columns: 30,000 by default) from ``s = min(pages, n)`` random pages, so about ``n² / 2s`` pairs of sampled rows share a page,
and on a clustered column the rows of one value sit on one page: such a pair shares its value
with probability ``(k − 1) / (R − 1)`` (``k`` rows per value, ``R`` rows per page). Its
Haas–Stokes estimator ``D̂ = n·d / (n − f₁ + f₁·n/N)`` (``N`` rows, ``d`` distinct sampled
values, ``f₁`` seen once) reads them as if the rows were spread at random. With ``m`` sampled
pairs sharing a value (``d = n − m``, ``f₁ = n − 2m``) the estimate gives back ``m``, and ``m``
the rows per value on a clustered column::

    m = n² · (1 − D̂/N) / (2·D̂·(1 − n/N) + n)        k = 1 + 2·m·s·(R − 1) / n²        D = N / k

applied when ``|correlation| ≥ 0.9``, when ``D̂`` is above the sample size (the estimate was
extrapolated from mostly single occurrences; below it the sample saw the values repeat and
``ANALYZE`` counts them) and when the corrected ``k`` is below ``R`` (a value's rows fit in a
page). TPC-H SF 1: ``l_orderkey`` 410,362 estimated, 1,347,000 corrected, 1,500,000 real; on a
small table (``pages ≤ n``, ``s · (R − 1) / N ≈ 1``) the estimate is left as it is.

Calibrated against indexes built on PostgreSQL 15 (``tests/advisors/test_size_calibration``): the
model lands within ±10 % of ``pg_relation_size`` on the shapes tested (documented in
docs/index-advisor.md). The budget counts :func:`btree_bound`, the model raised by the largest
error measured for the kind of index (``MARGIN_*`` below), so a set that fits the budget fits it
in real bytes too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dbexpert.model import Column, Table
from dbexpert.model.catalog import TypeKind

PAGE = 8192
USABLE = PAGE - 24 - 16
FILLFACTOR = 0.90
_MAX_POSTING = USABLE // 3  # PostgreSQL caps a posting list tuple at about a third of a page
_FIXED_WIDTH = {
    TypeKind.SMALLINT: 2,
    TypeKind.INTEGER: 4,
    TypeKind.BIGINT: 8,
    TypeKind.BOOLEAN: 1,
    TypeKind.DATE: 4,
    TypeKind.TIME: 8,
    TypeKind.TIMESTAMP: 8,
    TypeKind.TIMESTAMPTZ: 8,
    TypeKind.UUID: 16,
    TypeKind.FLOAT: 8,
    TypeKind.INTERVAL: 16,
    TypeKind.ENUM: 4,
}
# ANALYZE's sample when the statistics target is unknown: 300 × 100 (the default) rows.
ANALYZE_SAMPLE = 30_000
CLUSTERED = 0.9  # |pg_stats.correlation| from which a column counts as physically clustered
# How far below the built index the model may land, by what decides its size (measured on
# PostgreSQL 15; figures in docs/index-advisor.md, tests in tests/advisors/test_size_calibration.py):
# tuples stored one per row are exact but for the inner pages (-0.4 % to +0.1 % measured); posting
# lists depend on pg_stats' distinct estimate and on how full deduplication leaves the pages (built
# up to 7 % above the model); a clustered column's corrected distinct count falls between 0.85 and 1.05 of the
# real one over repeated ANALYZE runs (TPC-H SF 1 l_orderkey: built 11.7 % above the model).
MARGIN_EXACT = 0.03
MARGIN_DEDUP = 0.10
MARGIN_CLUSTERED = 0.20
# Types whose B-tree operator class has no "equal image" support: no deduplication. char(n)
# (bpchar) is one (measured: an index on a char(10) column with 7 values is as large as unique keys).
_NO_DEDUP = frozenset(
    {TypeKind.NUMERIC, TypeKind.FLOAT, TypeKind.JSON, TypeKind.JSONB, TypeKind.ARRAY, TypeKind.CHAR}
)
# Values whose length varies from row to row: each tuple is padded to 8 bytes on its own, 3.5
# bytes on average (and from 0 to 7), which the average width cannot tell.
PADDING = 3.5


def maxalign(n: float) -> int:
    return int(math.ceil(n / 8.0) * 8)


def column_width(column: Column | None) -> float:
    """Average stored width in bytes: pg_stats avg_width when analysed, else the type's width."""
    if column is None:
        return 16.0
    if column.stats is not None and column.stats.avg_width:
        return float(column.stats.avg_width)
    return float(_FIXED_WIDTH.get(column.kind, 16))


def column_distinct(column: Column | None, rows: float, table: Table | None = None) -> float:
    """Distinct values: pg_stats n_distinct (negative means a fraction of the rows), corrected on a
    physically clustered column of ``table`` (see the module docstring)."""
    if column is None or column.stats is None or column.stats.distinct is None:
        return rows
    distinct = column.stats.distinct
    estimate = max(1.0, -distinct * rows if distinct < 0 else distinct)
    correlation = column.stats.correlation
    pages = table_pages(table) if table is not None else None
    if correlation is None or abs(correlation) < CLUSTERED or table is None or not pages:
        return estimate
    return clustered_distinct(estimate, rows, pages, analyze_sample(table))


def clustered_distinct(estimate: float, rows: float, pages: float, sample: int = ANALYZE_SAMPLE) -> float:
    """ANALYZE's distinct estimate ``estimate`` of a physically clustered column, corrected for its
    page sample of ``sample`` rows (the formula of the module docstring)."""
    per_page = rows / pages
    if estimate <= sample or estimate >= rows or per_page <= 1:
        return estimate
    n = min(float(sample), rows)
    pairs = n * n * (1 - estimate / rows) / (2 * estimate * (1 - n / rows) + n)
    per_key = 1 + 2 * pairs * min(pages, n) * (per_page - 1) / (n * n)
    if per_key >= per_page:
        return estimate
    return min(rows, max(estimate, rows / per_key))


def table_pages(table: Table) -> float | None:
    """Heap pages of ``table`` (its size over the page size), when its statistics say."""
    size = table.stats.table_bytes if table.stats else None
    return size / PAGE if size else None


def analyze_sample(table: Table) -> int:
    """Rows ANALYZE samples from ``table``: 300 × the largest statistics target of its columns."""
    targets = [c.stats.statistics_target for c in table.columns if c.stats and c.stats.statistics_target]
    return 300 * max(targets) if targets else ANALYZE_SAMPLE


@dataclass(frozen=True, slots=True)
class SizeEstimate:
    bytes: int  # the model's figure
    bound: int  # the most the built index is expected to take: the figure raised by ``margin``
    margin: float


def btree_bytes(table: Table, keys: Sequence[str], include: Sequence[str] = (), **options: Any) -> int:
    """Estimated bytes of ``CREATE INDEX ... (keys) INCLUDE (include)`` on ``table`` (the options of
    :func:`btree_size`)."""
    return btree_size(table, keys, include, **options).bytes


def btree_bound(table: Table, keys: Sequence[str], include: Sequence[str] = (), **options: Any) -> int:
    """The calibrated upper bound of :func:`btree_bytes`: what the budget counts."""
    return btree_size(table, keys, include, **options).bound


def btree_size(
    table: Table,
    keys: Sequence[str],
    include: Sequence[str] = (),
    *,
    expression_width: float = 16.0,
    unique: bool = False,
    row_fraction: float = 1.0,
    dedup: bool = True,
) -> SizeEstimate:
    """The model's bytes and their upper bound. A key that is not a column (an expression) counts
    ``expression_width`` bytes and as distinct; ``row_fraction`` is the share of rows a partial index
    keeps. The bound's margin is ``MARGIN_EXACT`` when every row is
    its own tuple, ``MARGIN_DEDUP`` when posting lists are counted, ``MARGIN_CLUSTERED`` when
    their number comes from the clustered-column correction."""
    rows = max(1.0, float(table.stats.row_estimate or 0) if table.stats else 1.0) * row_fraction
    columns = [table.column(k) for k in keys]
    tuple_bytes, worst = tuple_layout([*columns, *(table.column(c) for c in include)], expression_width)
    estimate = _btree_pages(table, rows, columns, tuple_bytes + 4, include, unique, row_fraction, dedup)
    # the bound: every alignment padding at its worst, and the calibrated margin
    high = _btree_pages(table, rows, columns, worst + 4, include, unique, row_fraction, dedup)
    return SizeEstimate(estimate[0] * PAGE, int(math.ceil(high[0] * PAGE * (1 + high[1]))), high[1])


def tuple_layout(columns: Sequence[Column | None], expression_width: float = 16.0) -> tuple[float, float]:
    """Bytes of an index tuple (8-byte header, the columns each at its alignment, the whole
    padded to 8): expected, and at most. A fixed-width column is aligned to its width; a short
    variable-length value (1-byte header) is not aligned. After a string, whose length varies from
    row to row, the next alignment pads ``(a − 1) / 2`` bytes on average; a numeric's length varies
    little (a few digit groups), so the estimate lays it out at its average width (plus the half
    byte ``avg_width``'s rounding down loses), and only the bound pads ``a − 1`` bytes after any
    variable-length value."""
    expected = worst = 8.0
    strings = variable = False
    for column in columns:
        width = column_width(column) if column is not None else expression_width
        kind = column.kind if column is not None else None
        fixed = kind in _FIXED_WIDTH
        align = int(width) if fixed and width in (2, 4, 8) else 1
        if align > 1:
            expected = expected + (align - 1) / 2 if strings else math.ceil(expected / align) * align
            worst = worst + align - 1 if variable else math.ceil(worst / align) * align
        expected += width
        worst += width
        if not fixed and kind is not TypeKind.CHAR:  # pg_stats.avg_width is rounded down
            expected += 0.5
            worst += 1
        strings = strings or kind is None or kind in (TypeKind.VARCHAR, TypeKind.TEXT, TypeKind.OTHER)
        # a char(n) value always takes n bytes
        variable = variable or not (fixed or kind is TypeKind.CHAR)
    return (
        expected + PADDING if strings else float(maxalign(expected)),
        worst + 7 if variable else float(maxalign(worst)),
    )


def _btree_pages(
    table: Table,
    rows: float,
    columns: Sequence[Column | None],
    tuple_bytes: float,
    include: Sequence[str],
    unique: bool,
    row_fraction: float,
    dedup: bool,
) -> tuple[int, float]:
    """Pages of the index and the margin of the model for it."""
    distinct = rows
    corrected = False
    if columns and all(c is not None for c in columns):
        whole = table if row_fraction == 1.0 else None  # the clustering correction reads the whole table
        distinct = min(rows, math.prod(column_distinct(c, rows, whole) for c in columns))
        corrected = whole is not None and any(column_distinct(c, rows, whole) != column_distinct(c, rows) for c in columns)
    dedupable = (
        dedup
        and not unique
        and not include
        and all(c is not None and c.kind not in _NO_DEDUP for c in columns)
        and rows / distinct >= 2
    )
    if dedupable:
        per_posting = max(1.0, (_MAX_POSTING - tuple_bytes) / 6)
        groups = max(distinct, rows / per_posting)
        stored = groups * tuple_bytes + rows * 6
    else:
        stored = rows * tuple_bytes
    leaf_pages = math.ceil(stored / (USABLE * FILLFACTOR))
    pages = leaf_pages + math.ceil(leaf_pages * 0.01) + 1
    margin = (MARGIN_CLUSTERED if corrected else MARGIN_DEDUP) if dedupable else MARGIN_EXACT
    return int(pages), margin
