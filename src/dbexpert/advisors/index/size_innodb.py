"""The real on-disk size of an InnoDB secondary index (MySQL 8, MariaDB), modelled from the catalog.

What the model counts, per index record (COMPACT/DYNAMIC row formats):

* the key columns, then the clustered key — the primary key columns not already in the key, else
  the first UNIQUE index of NOT NULL columns, else the hidden 6-byte ``DB_ROW_ID``;
* a 5-byte record header, one length byte per variable-length column (two when the column may hold
  more than 255 bytes and its values are 128 bytes or longer), a null bitmap of one bit per
  nullable column; CHAR in a multi-byte character set (utf8mb4) is stored variable-length;
* half a byte for the page directory (a 2-byte slot per about four records); no deduplication
  (InnoDB repeats every key, unlike PostgreSQL 13+).

What a page holds: 16 KiB pages (``innodb_page_size`` default) with 128 bytes of headers, trailer,
infimum and supremum. The model is the size **as CREATE INDEX builds it**: a sorted bulk build with
``innodb_fill_factor`` = 100 fills secondary leaf pages almost completely (measured 99.8 % of the
usable bytes on MariaDB 10.11). An index that grows later by inserts in random key order ends up
with pages 1/2 to 15/16 full (about 70 %, so up to ~1.4x this figure); inserts in key order keep
15/16. Node-pointer pages (key + clustered key + 4-byte child page) are added level by level.

Disk space is allocated per segment (leaf pages and node pointers are two segments): the first 32
pages one by one, then 1 MiB extents of 64 pages. A growing segment keeps at least 1/8 of what it
reserved free (MySQL 8.0.26+: ``innodb_segment_reserve_factor`` 12.5 %); from 40 extents on it
holds up to four spare extents instead. ``mysql.innodb_index_stats`` ``size`` counts these
reserved pages, and so does this model.

Calibrated against indexes built on MariaDB 10.11 (``tests/integration/mysql/test_size_innodb``):
within ±10 % of ``size`` × ``innodb_page_size`` on the shapes tested (docs/index-advisor.md).
Without width statistics a VARCHAR(n) counts a quarter of n bytes (at least 4): a guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from dbexpert.model import Column, Table

PAGE = 16384
USABLE = PAGE - 128  # FIL header 38 + page header 56 + infimum/supremum 26 + FIL trailer 8
FILL = 0.998  # a sorted build with innodb_fill_factor = 100 (measured: 16,220 of 16,256 bytes)
RECORD_HEADER = 5
DIRECTORY_PER_RECORD = 0.5
CHILD_POINTER = 4
ROW_ID = 6
FRAGMENT_PAGES = 32
EXTENT_PAGES = 64
SPARE_EXTENTS_FROM = 40
SPARE_EXTENTS = 4
RESERVE = 1 / 8

_FIXED = {
    "tinyint": 1, "bool": 1, "boolean": 1, "smallint": 2, "mediumint": 3, "int": 4, "integer": 4,
    "bigint": 8, "float": 4, "double": 8, "real": 8, "date": 3, "year": 1, "uuid": 16, "inet6": 16,
    "inet4": 4,
}
_TIME_BASE = {"time": 3, "datetime": 5, "timestamp": 4}
_DECIMAL_DIGIT_BYTES = (0, 1, 1, 2, 2, 3, 3, 4, 4, 4)
_TYPE = re.compile(r"^\s*(?P<name>[a-z0-9_ ]+?)\s*(?:\((?P<args>[^)]*)\))?(?:\s|$)", re.I)
_SINGLE_BYTE_CHARSETS = frozenset({"latin1", "ascii", "binary", "latin2", "cp1250", "cp1251", "cp1252"})
_LARGE = 16  # a text/blob/json prefix or an unknown type


def _field_bytes(column: Column) -> tuple[float, bool, int]:
    """(average stored bytes, variable-length?, largest possible bytes) of one column."""
    match = _TYPE.match(column.raw_type.lower())
    name = match["name"].replace(" unsigned", "").replace(" zerofill", "").strip() if match else ""
    args = [a.strip() for a in (match["args"] or "").split(",")] if match and match["args"] else []
    number = int(args[0]) if args and args[0].isdigit() else None
    width = float(column.stats.avg_width) if column.stats is not None and column.stats.avg_width else None
    if name in _FIXED:
        return float(_FIXED[name]), False, _FIXED[name]
    if name in _TIME_BASE:
        fsp = number or 0
        size = _TIME_BASE[name] + (fsp + 1) // 2
        return float(size), False, size
    if name in ("decimal", "numeric", "dec", "fixed"):
        precision = number or 10
        scale = int(args[1]) if len(args) > 1 and args[1].isdigit() else 0
        size = _decimal_bytes(precision - scale) + _decimal_bytes(scale)
        return float(size), False, size
    if name in ("enum", "set"):
        values = len(column.enum_values) or len(args)
        size = (1 if values < 256 else 2) if name == "enum" else max(1, (values + 7) // 8)
        return float(size), False, size
    if name == "bit":
        size = ((number or 1) + 7) // 8
        return float(size), False, size
    if name in ("binary", "char"):
        length = number if number is not None else 1
        charset = str(column.attrs.get("charset") or "utf8mb4").lower()
        multibyte = name == "char" and charset not in _SINGLE_BYTE_CHARSETS
        most = length * (4 if multibyte else 1)
        return (width or float(length)), multibyte, most
    if name in ("varchar", "varbinary"):
        length = number if number is not None else 255
        most = length * (1 if name == "varbinary" else 4)
        return (width if width is not None else max(min(length, 4), length / 4)), True, most
    return (width or float(_LARGE)), True, 65535


def _decimal_bytes(digits: int) -> int:
    return (digits // 9) * 4 + _DECIMAL_DIGIT_BYTES[digits % 9]


def _record_bytes(columns: Sequence[Column | None], expression_width: float) -> float:
    """Stored bytes of one index record holding ``columns`` (None: an expression key)."""
    data = 0.0
    lengths = 0
    nullable = 0
    for column in columns:
        if column is None:
            data += expression_width
            lengths += 1
            nullable += 1
            continue
        width, variable, most = _field_bytes(column)
        null_fraction = column.stats.null_fraction if column.stats and column.stats.null_fraction else 0.0
        data += width * (1 - null_fraction)
        if variable:
            lengths += 2 if most > 255 and width >= 128 else 1
        nullable += 1 if column.nullable else 0
    return RECORD_HEADER + math.ceil(nullable / 8) + lengths + data


def clustered_key(table: Table) -> tuple[list[Column], int]:
    """The columns every secondary record carries to find its row, and the hidden bytes (row id)."""
    names: Sequence[str] | None = table.primary_key.columns if table.primary_key else None
    if names is None:
        for index in table.indexes:
            cols = [table.column(c) for c in index.columns]
            if index.unique and not index.where and all(c is not None and not c.nullable for c in cols):
                names = index.columns
                break
    if names is None:
        return [], ROW_ID
    columns = [table.column(n) for n in names]
    return [c for c in columns if c is not None], 0


def segment_pages(used: int) -> int:
    """Pages a segment reserves to hold ``used`` pages: fragment pages, then whole extents kept
    1/8 free, or with up to four spare extents once the segment is large."""
    if used <= FRAGMENT_PAGES:
        return used
    extents = math.ceil((used - FRAGMENT_PAGES) / EXTENT_PAGES)
    if extents >= SPARE_EXTENTS_FROM:
        return FRAGMENT_PAGES + (extents + SPARE_EXTENTS) * EXTENT_PAGES
    while True:
        reserved = FRAGMENT_PAGES + extents * EXTENT_PAGES
        if reserved - (used - 1) >= reserved * RESERVE:  # checked before the last page is taken
            return reserved
        extents += 1


def innodb_bytes(
    table: Table,
    keys: Sequence[str],
    *,
    expression_width: float = 16.0,
) -> int:
    """Estimated bytes of ``CREATE INDEX ... (keys)`` on the InnoDB ``table``, as built.

    A key that is not a column (an expression: MySQL 8 indexes a hidden generated column) counts
    ``expression_width`` bytes.
    """
    rows = max(0.0, float(table.stats.row_estimate or 0) if table.stats else 0.0)
    key_columns = [table.column(k) for k in keys]
    in_key = {c.name.lower() for c in key_columns if c is not None}
    clustered, hidden = clustered_key(table)
    extra = [c for c in clustered if c.name.lower() not in in_key]
    record = _record_bytes([*key_columns, *extra], expression_width) + hidden
    per_page = USABLE * FILL
    leaf = max(1, math.ceil(rows * (record + DIRECTORY_PER_RECORD) / per_page))
    pointer = record + CHILD_POINTER + DIRECTORY_PER_RECORD
    upper = 0
    level = leaf
    while level > 1:  # node-pointer levels up to the root
        level = math.ceil(level * pointer / per_page)
        upper += level
    return (segment_pages(leaf) + segment_pages(upper) if upper else 1) * PAGE


__all__ = ["innodb_bytes", "segment_pages"]
