"""The index size model against indexes built on PostgreSQL 15, and its correction of ANALYZE's
distinct estimate on physically clustered columns."""

from __future__ import annotations

import psycopg
import pytest

from dbexpert.advisors.index.size import (
    analyze_sample,
    btree_bound,
    btree_bytes,
    clustered_distinct,
    column_distinct,
)
from dbexpert.engines import connect
from dbexpert.engines.postgres.introspect import map_column_stats
from tests.conftest import pg_execute

# 66,000 keys of 1 to 7 rows each (4 on average, like TPC-H's l_orderkey), inserted in key order; a
# fillfactor of 10 spreads them over 12,000 pages, and a statistics target of 10 makes ANALYZE sample
# 3,000 rows from 3,000 of them — the proportions of lineitem at SF 1 (30,000 of 112,000 pages).
CLUSTERED = """
CREATE TABLE clustered (k integer NOT NULL, v integer NOT NULL) WITH (fillfactor = 10);
ALTER TABLE clustered ALTER COLUMN k SET STATISTICS 10, ALTER COLUMN v SET STATISTICS 10;
INSERT INTO clustered SELECT key, line FROM generate_series(1, 66000) key, generate_series(1, 1 + key % 7) line
    ORDER BY key, line;
ANALYZE clustered;
"""
KEYS = 66_000


def test_the_correction_on_tpch_figures() -> None:
    # lineitem at SF 1: 6,000,978 rows on 112,503 pages; ANALYZE says 410,362 l_orderkey values of 1,500,000
    corrected = clustered_distinct(410_362, 6_000_978, 112_503)
    assert 1_300_000 < corrected < 1_500_000
    # partsupp (17,451 pages, fewer than the 30,000 sampled): the estimate is about right and stays so
    assert clustered_distinct(196_718, 800_000, 17_451) == pytest.approx(200_000, rel=0.05)


def test_no_correction_where_the_sample_saw_the_values_repeat() -> None:
    assert clustered_distinct(5, 6_000_978, 112_503) == 5  # a status column: every value seen many times
    assert clustered_distinct(25_000, 6_000_978, 112_503) == 25_000  # below the sample size
    assert clustered_distinct(6_000_978, 6_000_978, 112_503) == 6_000_978  # unique
    # every page sampled (1,000 pages, 30,000 rows): the sample is as good as a random one
    assert clustered_distinct(400_000, 6_000_000, 1_000) == pytest.approx(400_000, rel=0.05)


def test_correlation_and_target_are_read_from_pg_stats() -> None:
    stats = map_column_stats(
        {"null_frac": 0.0, "n_distinct": 410362.0, "avg_width": 4, "reltuples": 6e6, "correlation": 0.99999946,
         "statistics_target": 100}
    )
    assert stats is not None and stats.correlation == pytest.approx(0.99999946) and stats.statistics_target == 100
    assert map_column_stats({"null_frac": 0.0, "n_distinct": -1.0, "reltuples": 10.0}).correlation is None  # type: ignore[union-attr]


def test_a_clustered_column_is_sized_like_the_built_index(pg_url: str) -> None:
    pg_execute(pg_url, CLUSTERED)
    with connect(pg_url) as session:
        table = session.introspect().table("clustered")
    assert table is not None
    key = table.column("k")
    assert key is not None and key.stats is not None and key.stats.distinct is not None
    assert key.stats.correlation is not None and key.stats.correlation > 0.99
    assert analyze_sample(table) == 3_000
    rows = float(table.stats.row_estimate or 0) if table.stats else 0.0
    assert key.stats.distinct < 0.5 * KEYS  # ANALYZE's page sample sees a key's rows together
    # ANALYZE samples at random: over 40 ANALYZE runs of this table the corrected estimate fell
    # between 0.85 and 1.05 of the real count (ANALYZE's own: about 0.4).
    assert column_distinct(key, rows, table) == pytest.approx(KEYS, rel=0.20)
    assert column_distinct(key, rows) == key.stats.distinct  # without the table: no correction
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE INDEX clustered_k ON clustered (k)")
        real = conn.execute("SELECT pg_relation_size('clustered_k')").fetchone()[0]  # type: ignore[index]
    modelled = btree_bytes(table, ["k"])
    # within the spread of ANALYZE's sample (about -11 % to +5 % here), and never above the bound the
    # budget counts (the clustered margin)
    assert abs(modelled - real) / real < 0.15, (modelled, real)
    assert btree_bound(table, ["k"]) >= real
    value = table.column("v")
    assert value is not None and value.stats is not None and abs(value.stats.correlation or 0) < 0.9
