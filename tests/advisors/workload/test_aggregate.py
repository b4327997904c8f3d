"""Aggregation of synthetic workload events: groups, times, breakdowns, histogram, logs, merging."""

from __future__ import annotations

import math
import pickle
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.advisors.workload import aggregate as aggregate_module
from dbexpert.advisors.workload.aggregate import (
    MAX_MESSAGE_SHAPES,
    OTHER,
    UNKNOWN,
    WorkloadAggregate,
    message_shape,
)
from dbexpert.model import Engine
from dbexpert.model.query_row import row_event
from dbexpert.model.workload import LogEvent, LogEventKind, Place, QueryEvent, ReadProblem

T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def query(sql: str, ms: float | None, line: int, **kw: object) -> QueryEvent:
    return QueryEvent(sql=sql, place=Place("app.log", line), duration_ms=ms, **kw)  # type: ignore[arg-type]


def events(seed: int = 1, n: int = 3000) -> list[QueryEvent | LogEvent | ReadProblem]:
    rng = random.Random(seed)
    out: list[QueryEvent | LogEvent | ReadProblem] = []
    for line in range(1, n + 1):
        kind = rng.random()
        if kind < 0.6:
            sql = f"SELECT * FROM orders WHERE customer_id = {rng.randint(1, 10_000)}"
            out.append(
                query(sql, rng.uniform(0.1, 2), line, database="shop", user="web", timestamp=T0 + line)
            )
        elif kind < 0.9:
            ids = ", ".join(str(rng.randint(1, 99)) for _ in range(rng.randint(1, 9)))
            sql = f"select name from products where id in ({ids}) and active = true"
            out.append(
                query(
                    sql,
                    rng.uniform(5, 50),
                    line,
                    database="shop",
                    user="report",
                    application="etl",
                    timestamp=T0 + line,
                )
            )
        elif kind < 0.97:
            out.append(
                LogEvent(
                    LogEventKind.ERROR,
                    f'duplicate key value violates unique constraint "orders_pkey" {rng.randint(1, 9)}',
                    Place("app.log", line),
                    timestamp=T0 + line,
                    severity="ERROR",
                )
            )
        else:
            out.append(ReadProblem(Place("app.log", line), "unknown line prefix"))
    return out


def test_statements_are_grouped_by_shape_with_exact_counts_and_times() -> None:
    stream = events()
    agg = WorkloadAggregate().add_all(stream)
    queries = [e for e in stream if isinstance(e, QueryEvent)]
    assert len(agg.groups) == 2
    top = agg.top(10)
    assert [g.shape for g in top] == [
        "select name from products where id in (...) and active = ?",
        "select * from orders where customer_id = ?",
    ]
    for group in top:
        mine = [e for e in queries if e.sql.lower().startswith(group.shape[:10])]
        durations = sorted(e.duration_ms or 0 for e in mine)
        assert group.calls == len(mine) == group.timed_calls
        assert math.isclose(group.total_ms, sum(durations))
        assert group.min_ms == durations[0] and group.max_ms == durations[-1]
        assert math.isclose(group.mean_ms or 0, sum(durations) / len(durations))
        for q in (0.5, 0.95, 0.99):
            true = durations[math.floor(q * (len(durations) - 1))]
            assert abs((group.quantile(q) or 0) - true) <= 0.01 * true * (1 + 1e-9)
        assert group.example_sql == mine[0].sql  # the raw text of the first real call
        assert group.example_place == mine[0].place
    assert agg.query_events == len(queries) == agg.calls


def test_top_sorts_by_each_key() -> None:
    agg = WorkloadAggregate().add_all(
        [
            query("select 1", 40.0, 1, rows=1),
            *(query(f"select * from t where id = {i}", 1.0, i + 2, rows=10) for i in range(50)),
        ]
    )
    assert agg.top(1, "total")[0].shape == "select * from t where id = ?"
    assert agg.top(1, "calls")[0].shape == "select * from t where id = ?"
    assert agg.top(1, "mean")[0].shape == "select ?"
    assert agg.top(1, "p95")[0].shape == "select ?"
    assert agg.top(1, "rows")[0].rows == 500


def test_breakdowns_histogram_logs_and_problems() -> None:
    stream = events()
    agg = WorkloadAggregate().add_all(stream)
    databases = agg.breakdown("databases")
    assert [row["name"] for row in databases] == ["shop"]
    users = {row["name"]: row["calls"] for row in agg.breakdown("users")}
    apps = {row["name"]: row["calls"] for row in agg.breakdown("applications")}
    assert sum(users.values()) == agg.calls and set(users) == {"web", "report"}
    assert apps["etl"] == users["report"] and apps[UNKNOWN] == users["web"]
    histogram = agg.time_histogram(max_buckets=48)
    assert sum(b["calls"] for b in histogram) == agg.calls
    assert len(histogram) <= 48 and histogram[0]["seconds"] == 300  # 3,000 s of events: 5-minute buckets
    assert math.isclose(sum(b["total_ms"] for b in histogram), agg.total_ms, rel_tol=1e-6)
    errors = agg.log_groups(["error"])
    assert (
        len(errors) == 1
        and errors[0].shape == 'duplicate key value violates unique constraint "orders_pkey" ?'
    )
    assert errors[0].count == agg.log_counts["error"] == sum(isinstance(e, LogEvent) for e in stream)
    problems = [e for e in stream if isinstance(e, ReadProblem)]
    assert agg.problems.count == len(problems)
    assert agg.problems.summary() == (
        f"{len(problems)} lines not understood, first at line {problems[0].place.line} of app.log: unknown line prefix"
    )


def test_merged_chunks_give_the_same_result_as_one_pass() -> None:
    stream = events(seed=3)
    whole = WorkloadAggregate().add_all(stream)
    chunks = [WorkloadAggregate().add_all(stream[i : i + 700]) for i in range(0, len(stream), 700)]
    chunks = [pickle.loads(pickle.dumps(c)) for c in chunks]  # as from worker processes
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged.merge(chunk)
    assert [g.facts() for g in merged.top(10)] == [g.facts() for g in whole.top(10)]
    assert merged.breakdown("users") == whole.breakdown("users")
    assert merged.time_histogram() == whole.time_histogram()
    assert [g.facts() for g in merged.log_groups()] == [g.facts() for g in whole.log_groups()]
    assert merged.problems.summary() == whole.problems.summary()


def test_aggregated_sources_add_time_but_no_percentiles() -> None:
    agg = WorkloadAggregate().add_all(
        [
            QueryEvent(
                "select * from t where id = $1",
                Place("pgss.csv", 2),
                duration_ms=90.0,
                calls=30,
                min_ms=1.0,
                max_ms=9.0,
            ),
            query("select * from t where id = 5", 4.0, 3),
        ]
    )
    (group,) = agg.groups.values()
    assert group.calls == 31 and group.total_ms == 94.0 and group.min_ms == 1.0 and group.max_ms == 9.0
    assert group.quantile(0.5) is None  # 30 of the 31 calls have no duration of their own
    assert group.facts()["p95_ms"] is None


def test_untimed_events_count_calls_only() -> None:
    agg = WorkloadAggregate().add_all([query("select 1", None, 1), query("select 2", None, 2)])
    (group,) = agg.groups.values()
    assert (
        group.calls == 2 and group.timed_calls == 0 and group.mean_ms is None and group.quantile(0.5) is None
    )


def test_message_shapes_and_their_cap() -> None:
    assert message_shape("process 4242 still waiting for ShareLock on transaction 991 after 1000.058 ms") == (
        "process ? still waiting for ShareLock on transaction ? after ? ms"
    )
    assert message_shape("Key (id)=(42) already exists.") == "Key (id)=(?) already exists."
    assert (
        message_shape("invalid input syntax for type integer: 'abc'")
        == "invalid input syntax for type integer: '?'"
    )
    agg = WorkloadAggregate()
    for i in range(MAX_MESSAGE_SHAPES + 20):
        name = "".join(chr(ord("a") + int(d)) for d in str(i))  # names without digits: distinct shapes
        agg.add(LogEvent(LogEventKind.ERROR, f"column {name} does not exist", Place("x.log", i + 1)))
    groups = agg.log_groups(["error"])
    assert len(groups) == MAX_MESSAGE_SHAPES + 1
    assert next(g for g in groups if g.shape == OTHER).count == 20


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="=()'1.9 ax", max_size=30))
def test_message_shapes_skip_only_passes_that_would_change_nothing(message: str) -> None:
    # message_shape runs a pass only where its pattern's first literal is; all three, always, agree
    m = aggregate_module
    expected = m._NUMBER.sub("?", m._QUOTED_VALUE.sub("'?'", m._KEY_VALUE.sub("=(?)", message)))
    assert message_shape(message) == expected


def test_log_amounts_are_summed() -> None:
    agg = WorkloadAggregate()
    for size in (1024.0, 4096.0):
        agg.add(
            LogEvent(
                LogEventKind.TEMP_FILE,
                f'temporary file: path "base/pgsql_tmp/pgsql_tmp{int(size)}.0", size {int(size)}',
                Place("x.log", 1),
                amount=size,
            )
        )
    (group,) = agg.log_groups(["temp-file"])
    assert group.count == 2 and group.amount == 5120.0 and group.max_amount == 4096.0


def test_engines_are_fingerprinted_in_their_dialect() -> None:
    agg = WorkloadAggregate().add_all(
        [
            QueryEvent(
                "SELECT * FROM `t` WHERE a = 'it\\'s'",
                Place("slow.log", 1),
                engine=Engine.MYSQL,
                duration_ms=1.0,
            ),
            QueryEvent(
                "SELECT * FROM `t` WHERE a = 'x'", Place("slow.log", 9), engine=Engine.MYSQL, duration_ms=2.0
            ),
        ]
    )
    (group,) = agg.groups.values()
    assert group.calls == 2 and group.engine is Engine.MYSQL


def test_breakdowns_cap_names_whatever_the_order_of_triples(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dbexpert.advisors.workload import aggregate as module

    monkeypatch.setattr(module, "MAX_NAMES", 3)
    monkeypatch.setattr(module, "_MAX_TRIPLES", 2)  # the triple cache is cleared again and again
    agg = WorkloadAggregate()
    for line in range(1, 61):
        n = line % 6
        agg.add(query("SELECT 1", 1.0, line, database=f"db{n}", user=f"u{n % 2}", application=None))
    databases = {row["name"]: row["calls"] for row in agg.breakdown("databases")}
    assert databases == {"db1": 10, "db2": 10, "db3": 10, OTHER: 30}
    assert {row["name"]: row["calls"] for row in agg.breakdown("users")} == {"u1": 30, "u0": 30}
    assert agg.breakdown("applications") == [{"name": UNKNOWN, "calls": 60, "total_ms": 60.0}]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["SELECT 1", "SELECT a FROM t WHERE b = 2", "UPDATE t SET a = 'x'"]),
            st.one_of(st.none(), st.floats(min_value=0, max_value=1e5, allow_nan=False)),
            st.one_of(st.none(), st.floats(min_value=1.7e9, max_value=1.8e9, allow_nan=False)),
            st.sampled_from([None, "shop", "app"]),
        ),
        max_size=60,
    ),
    st.integers(min_value=1, max_value=7),
)
def test_rows_in_batches_equal_their_events_one_by_one(rows: list, batch: int) -> None:
    """add_items holds a shape's calls and adds them a batch at a time: the very groups, tallies
    and histogram that adding each call's event gives."""
    items = [
        (sql, "x.log", n, at, ms, db, "u", None, None, "s1", None, (), None, None)
        for n, (sql, ms, at, db) in enumerate(rows, start=1)
    ]
    saved = aggregate_module._BATCH
    aggregate_module._BATCH = batch
    try:
        fast = WorkloadAggregate().add_items(items)
    finally:
        aggregate_module._BATCH = saved
    slow = WorkloadAggregate().add_all(row_event(item) for item in items)
    assert fast.query_events == slow.query_events == len(items)
    assert [g.facts() for g in fast.top(10)] == [g.facts() for g in slow.top(10)]
    for mine, theirs in zip(fast.groups.values(), slow.groups.values(), strict=True):
        assert (mine.total_ms, mine.min_ms, mine.max_ms, mine.first_seen, mine.last_seen) == (
            theirs.total_ms,
            theirs.min_ms,
            theirs.max_ms,
            theirs.first_seen,
            theirs.last_seen,
        )
        assert mine.sketch.buckets == theirs.sketch.buckets and mine.sketch.zeros == theirs.sketch.zeros
    assert fast.breakdown("databases") == slow.breakdown("databases")
    assert fast.time_histogram() == slow.time_histogram()
    assert (fast.first_seen, fast.last_seen) == (slow.first_seen, slow.last_seen)
