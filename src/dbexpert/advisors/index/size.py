"""The real on-disk size of a B-tree index, modelled from the table's statistics.

hypopg's own estimate ignores B-tree deduplication (PostgreSQL 13+), so it overestimates indexes
whose keys repeat by about 2×; a budget counted in hypopg bytes would be half spent. The model:

* a leaf tuple is ``MAXALIGN(8-byte header + key and INCLUDE data) + 4-byte line pointer``;
* leaf pages hold ``(8192 - 24 page header - 16 special) × fillfactor 90 %`` bytes of tuples;
* with deduplication (PostgreSQL 13+, non-unique, no INCLUDE, B-tree), rows sharing a key are
  stored as one posting tuple: the key once, then a 6-byte heap pointer per row;
* inner pages add about 1 % and the metapage one page.

Calibrated against indexes built on PostgreSQL 15 (``tests/advisors/test_size_calibration``): the
model lands within ±25 % of ``pg_relation_size`` on the shapes tested (documented in
docs/index-advisor.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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
_NO_DEDUP = frozenset({TypeKind.NUMERIC, TypeKind.FLOAT, TypeKind.JSON, TypeKind.JSONB, TypeKind.ARRAY})


def maxalign(n: float) -> int:
    return int(math.ceil(n / 8.0) * 8)


def column_width(column: Column | None) -> float:
    """Average stored width in bytes: pg_stats avg_width when analysed, else the type's width."""
    if column is None:
        return 16.0
    if column.stats is not None and column.stats.avg_width:
        return float(column.stats.avg_width)
    return float(_FIXED_WIDTH.get(column.kind, 16))


def column_distinct(column: Column | None, rows: float) -> float:
    """Distinct values: pg_stats n_distinct (negative means a fraction of the rows)."""
    if column is None or column.stats is None or column.stats.distinct is None:
        return rows
    distinct = column.stats.distinct
    return max(1.0, -distinct * rows if distinct < 0 else distinct)


def btree_bytes(
    table: Table,
    keys: Sequence[str],
    include: Sequence[str] = (),
    *,
    expression_width: float = 16.0,
    unique: bool = False,
    row_fraction: float = 1.0,
    dedup: bool = True,
) -> int:
    """Estimated bytes of ``CREATE INDEX ... (keys) INCLUDE (include)`` on ``table``.

    A key that is not a column (an expression) counts ``expression_width`` bytes and as distinct.
    ``row_fraction`` is the share of rows a partial index keeps.
    """
    rows = max(1.0, float(table.stats.row_estimate or 0) if table.stats else 1.0) * row_fraction
    columns = [table.column(k) for k in keys]
    data = sum(column_width(c) if c is not None else expression_width for c in columns)
    data += sum(column_width(table.column(c)) for c in include)
    tuple_bytes = maxalign(8 + data) + 4
    distinct = rows
    if columns and all(c is not None for c in columns):
        distinct = min(rows, math.prod(column_distinct(c, rows) for c in columns))
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
    return int(pages * PAGE)
