"""The executed check on a real PostgreSQL 15 scratch copy: an index that makes a query slower (the
LIMIT trap: the planner walks an index in ORDER BY order hoping to meet a rare row early, and meets
it last) is found among the set and left out, the useful index is kept, hidden indexes come back,
and a query past the time limit is cut, not waited for."""

from __future__ import annotations

import psycopg
import pytest

from dbexpert.advisors.index.verify import verify
from dbexpert.engines.postgres.verify import ScratchCopy
from dbexpert.engines.url import parse_url
from dbexpert.model import InputError
from tests.conftest import pg_execute

SCHEMA = """
CREATE TABLE t (id bigint, x bigint, y int, z int, pad text);
INSERT INTO t SELECT g, (g::bigint * 7919) % 200003, CASE WHEN (g::bigint * 7919) % 200003 > 199800 THEN 1 ELSE 0 END,
    g % 1000, repeat('p', 40) FROM generate_series(1, 200000) g;
ANALYZE t;
"""
INDEXES = [
    ("t_z_idx", "CREATE INDEX t_z_idx ON t (z)"),
    ("t_x_idx", "CREATE INDEX t_x_idx ON t (x)"),
]
TRAP = "SELECT * FROM t WHERE y = 1 ORDER BY x LIMIT 1"  # the rare rows have the largest x
USEFUL = "SELECT * FROM t WHERE z = 5"


def _indexes(url: str) -> set[str]:
    with psycopg.connect(url) as check:
        return {r[0] for r in check.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}


@pytest.fixture
def scratch(pg_url: str) -> str:
    pg_execute(pg_url, SCHEMA)
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute("VACUUM t")  # the visibility map, as on a settled copy
    return pg_url


def test_the_index_that_slows_a_query_is_left_out_and_the_useful_one_kept(scratch: str) -> None:
    result, left_out, rounds = verify(parse_url(scratch), INDEXES, [("trap", TRAP), ("useful", USEFUL)])
    assert left_out == {"t_x_idx": "it made trap more than 30 % slower"}
    assert rounds == 2
    timings = {t.label: t for t in result.timings}  # the final round: t_z_idx alone
    assert timings["useful"].indexes_used == frozenset({"t_z_idx"})
    assert timings["useful"].after_ms < timings["useful"].before_ms
    # the trap runs as before again (its time is left to the machine: tests run side by side)
    assert timings["trap"].indexes_used == frozenset() and not result.slower
    assert _indexes(scratch) == set()  # everything built was dropped


def test_a_hidden_index_is_out_of_the_plans_in_the_block_and_back_after(scratch: str) -> None:
    copy = ScratchCopy(parse_url(scratch), timeout_ms=60_000)
    try:
        copy.build(INDEXES)
        assert copy.measure(TRAP, 1).indexes == frozenset({"t_x_idx"})
        with copy.hidden(["t_x_idx"]) as able:
            assert able
            assert copy.measure(TRAP, 1).indexes == frozenset()
            assert copy.measure(USEFUL, 1).indexes == frozenset({"t_z_idx"})
        assert copy.measure(TRAP, 1).indexes == frozenset({"t_x_idx"})
    finally:
        copy.drop()
        copy.close()
    assert _indexes(scratch) == set()


def test_a_run_past_the_time_limit_is_timed_out(scratch: str) -> None:
    copy = ScratchCopy(parse_url(scratch), timeout_ms=100)
    try:
        measured = copy.measure("SELECT pg_sleep(5)", 5)
        assert measured.timed_out and measured.median_ms == 100.0
        assert not copy.measure("SELECT 1", 1).timed_out  # the connection is still usable
    finally:
        copy.close()


def test_a_query_past_the_limit_on_both_sides_keeps_the_index_its_plan_uses(scratch: str) -> None:
    sleepy = "SELECT pg_sleep(0.01) FROM t WHERE z = 5"  # 200 rows: 2 s, with or without the index
    result, left_out, rounds = verify(parse_url(scratch), INDEXES[:1], [("sleepy", sleepy)], timeout_ms=300)
    (timing,) = result.timings
    assert timing.before_timed_out and timing.after_timed_out and timing.ratio == 1.0
    assert timing.indexes_used == frozenset({"t_z_idx"})  # from the plan it was running
    assert left_out == {} and rounds == 1 and result.total_ratio == 1.0
    assert _indexes(scratch) == set()


def test_a_failed_build_drops_what_was_built_and_says_why_in_one_line(scratch: str) -> None:
    indexes = [*INDEXES, ("t_nosuch_idx", "CREATE INDEX t_nosuch_idx ON t (nosuch)")]
    with pytest.raises(InputError, match='column "nosuch" does not exist') as caught:
        verify(parse_url(scratch), indexes, [("useful", USEFUL)], runs=1)
    assert "\n" not in str(caught.value)
    assert _indexes(scratch) == set()
