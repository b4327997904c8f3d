"""The size model's upper bound (what the budget counts) against indexes built on PostgreSQL 15:
char(n) keys are not deduplicated, columns are laid out at their alignment, and no built index
exceeds its bound."""

from __future__ import annotations

import psycopg
import pytest

from dbexpert.advisors.index.size import (
    MARGIN_DEDUP,
    MARGIN_EXACT,
    btree_size,
    tuple_layout,
)
from dbexpert.engines import connect
from dbexpert.model.catalog import Column, ColumnStats, TypeKind
from tests.conftest import pg_execute

# TPC-H's shapes at 200,000 rows: a char(10) column of 7 values, dates, integers, numerics of
# varying length after which an integer must be aligned, strings of varying length.
SHAPES = """
CREATE TABLE items (
    mode char(10) NOT NULL, received date NOT NULL, part integer NOT NULL, quantity numeric(15,2) NOT NULL,
    supplier integer NOT NULL, price numeric(15,2) NOT NULL, discount numeric(15,2) NOT NULL,
    kind varchar(25) NOT NULL
);
INSERT INTO items
SELECT (ARRAY['MAIL','SHIP','AIR','RAIL','TRUCK','FOB','REG AIR'])[1 + i % 7], DATE '1992-01-01' + ((i::bigint * 7919) % 2500)::integer,
       (i::bigint * 104729) % 20000, 1 + i % 50, i % 1000, round((900 + (i * 31) % 104000 + (i % 100) / 100.0)::numeric, 2),
       (i % 11) / 100.0, repeat('x', 8 + (i * 13) % 17)
FROM generate_series(1, 200000) i;
ANALYZE items;
"""
INDEXES = [
    (("mode",), ()),
    (("mode", "received"), ()),
    (("received", "part", "quantity"), ("supplier", "price", "discount")),
    (("part",), ("quantity",)),
    (("part", "kind"), ()),
    (("supplier",), ()),
    (("received",), ()),
]


def column(kind: TypeKind, width: int) -> Column:
    return Column("c", kind.value, kind, stats=ColumnStats(avg_width=width, distinct=7))


def test_columns_are_laid_out_at_their_alignment() -> None:
    # int, numeric(5): 8 + 4 + 5 (+0.5 for avg_width's rounding) = 17.5, padded to 24; at most
    # 8 + 4 + 6 + 7 bytes of padding
    assert tuple_layout([column(TypeKind.INTEGER, 4), column(TypeKind.NUMERIC, 5)]) == (24.0, 25.0)
    # an integer after a numeric is aligned to 4: 8 + 4 + 4 + 5 (+3) + 4 + 8 + 5 = 41, padded to 48
    shipdate = [column(TypeKind.DATE, 4), column(TypeKind.INTEGER, 4), column(TypeKind.NUMERIC, 5),
                column(TypeKind.INTEGER, 4), column(TypeKind.NUMERIC, 8), column(TypeKind.NUMERIC, 5)]
    expected, worst = tuple_layout(shipdate)
    assert expected == 48.0 and worst >= expected
    # a string whose length varies: 3.5 bytes of padding on average, 7 at most
    assert tuple_layout([column(TypeKind.INTEGER, 4), column(TypeKind.VARCHAR, 21)]) == (37.0, 41.0)
    # char(n) takes n bytes every row: no padding guess
    assert tuple_layout([column(TypeKind.INTEGER, 4), column(TypeKind.CHAR, 11)]) == (24.0, 24.0)


def test_the_bound_is_the_model_raised_by_its_margin(pg_url: str) -> None:
    pg_execute(pg_url, SHAPES)
    with connect(pg_url) as session:
        table = session.introspect().table("items")
    assert table is not None
    exact = btree_size(table, ["part"], ["quantity"])
    assert exact.margin == MARGIN_EXACT and exact.bound >= exact.bytes * (1 + MARGIN_EXACT)
    deduplicated = btree_size(table, ["supplier"])
    assert deduplicated.margin == MARGIN_DEDUP
    by_mode = btree_size(table, ["mode"])
    assert by_mode.margin == MARGIN_EXACT  # char(n): no deduplication, one tuple per row
    assert by_mode.bytes > 3 * btree_size(table, ["supplier"]).bytes / 2


@pytest.mark.parametrize(("keys", "include"), INDEXES)
def test_no_built_index_exceeds_its_bound(pg_url: str, keys: tuple[str, ...], include: tuple[str, ...]) -> None:
    pg_execute(pg_url, SHAPES)
    with connect(pg_url) as session:
        table = session.introspect().table("items")
    assert table is not None
    included = f" INCLUDE ({', '.join(include)})" if include else ""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE INDEX probe ON items ({', '.join(keys)}){included}".encode())
        real = conn.execute("SELECT pg_relation_size('probe')").fetchone()[0]  # type: ignore[index]
    size = btree_size(table, keys, include)
    assert real <= size.bound, (keys, include, size, real)
    assert abs(size.bytes - real) / real < 0.10, (keys, include, size, real)
