"""The readers' fast path (queries as plain rows) gives what the event path gives: the same groups,
breakdowns, histogram and log groups, the same request units, the same findings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dbexpert.advisors.workload.aggregate import WorkloadAggregate
from dbexpert.advisors.workload.nplusone import GroupingOptions, RequestGrouper
from dbexpert.api.workload import WorkloadOptions, analyze_workload, find_nplusone_in_events
from dbexpert.model import Engine
from dbexpert.model.query_row import row_event
from dbexpert.model.workload import QueryEvent, RequestTrace
from dbexpert.sources.logs import ReadOptions, open_text, postgres_stderr, read_events
from dbexpert.sql.fingerprint import fingerprint
from tests.files import load_benchmark

OPTIONS = ReadOptions(format="postgres-stderr")


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fast") / "postgresql.log"
    load_benchmark("generate_pg_log").generate(path, 2 << 20, seed=11, garbage_every=500)
    return path


def _items(path: Path) -> list[object]:
    with open_text(path) as text:
        return list(postgres_stderr.read_items(text, str(path), OPTIONS))


def _state(aggregate: WorkloadAggregate) -> dict[str, object]:
    return {
        "groups": {k: g.facts() for k, g in aggregate.groups.items()},
        "breakdowns": [aggregate.breakdown(n) for n in ("databases", "users", "applications")],
        "histogram": aggregate.time_histogram(),
        "raw_histogram": {k: (t.calls, t.total_ms) for k, t in aggregate.histogram.items()},
        "logs": [g.facts() for g in aggregate.log_groups()],
        "log_counts": aggregate.log_counts,
        "problems": (aggregate.problems.count, aggregate.problems.summary()),
        "events": aggregate.query_events,
        "span": (aggregate.first_seen, aggregate.last_seen),
    }


def test_rows_are_the_events(log: Path):
    events = [e for e in read_events(log, OPTIONS)]
    items = _items(log)
    assert len(items) == len(events)
    for item, event in zip(items, events, strict=True):
        assert (row_event(item) if isinstance(item, tuple) else item) == event  # type: ignore[arg-type]
    assert sum(isinstance(i, tuple) for i in items) > 5000


def test_aggregating_rows_equals_aggregating_events(log: Path):
    by_events = WorkloadAggregate().add_all(read_events(log, OPTIONS))
    by_rows = WorkloadAggregate().add_items(_items(log), Engine.POSTGRES)  # type: ignore[arg-type]
    assert _state(by_rows) == _state(by_events)
    assert by_rows.problems.count > 0  # the garbage lines are counted on both paths


def test_aggregating_rows_across_a_coarsened_histogram():
    # One statement a minute for 70 days: the histogram falls back to hours while the rows stream in.
    rows = [
        (
            "SELECT 1",
            "a.log",
            i + 1,
            1_600_000_000.5 + i * 60.0,
            1.0,
            "db",
            None,
            None,
            None,
            "7",
            None,
            (),
            None,
            None,
        )
        for i in range(101_000)
    ]
    by_rows = WorkloadAggregate().add_items(rows)
    by_events = WorkloadAggregate().add_all(row_event(r) for r in rows)
    assert by_rows.resolution == by_events.resolution == 3600
    assert _state(by_rows) == _state(by_events)


def _units(traces: list[RequestTrace]) -> list[tuple[str, str, list[tuple[QueryEvent, str, str]]]]:
    return [(t.key, t.kind, [(q.event, q.shape_id, q.shape) for q in t.queries]) for t in traces]


def test_grouping_rows_equals_grouping_events(log: Path):
    options = GroupingOptions(session_gap_ms=50.0)
    from_events: list[RequestTrace] = []
    grouper = RequestGrouper(options, min_runs=2, on_close=from_events.append)
    for event in read_events(log, OPTIONS):
        assert grouper.add(event) == []  # handed to on_close instead
    grouper.finish()
    from_rows: list[RequestTrace] = []
    grouper = RequestGrouper(options, min_runs=2, on_close=from_rows.append)
    for item in _items(log):
        if isinstance(item, tuple):
            grouper.add_row(item, fingerprint(item[0]))  # type: ignore[arg-type]
    grouper.finish()
    assert _units(from_rows) == _units(from_events)
    assert from_rows and all(len({q.shape_id for q in t.queries}) < len(t.queries) for t in from_rows)


@pytest.mark.parametrize("runs", [2, 3, 5])
def test_min_runs_drops_exactly_the_units_without_a_shape_run_that_often(loops_log: Path, runs: int):
    every = RequestGrouper()
    all_units = [t for e in read_events(loops_log, OPTIONS) for t in every.add(e)] + every.finish()
    some = RequestGrouper(min_runs=runs)
    kept = [t for e in read_events(loops_log, OPTIONS) for t in some.add(e)] + some.finish()
    expected = [t for t in all_units if max(Counter(q.shape_id for q in t.queries).values()) >= runs]
    assert _units(kept) == _units(expected)
    assert 0 < len(kept) < len(all_units)


@pytest.fixture(scope="module")
def loops_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Session stretches with one shape run 1 to 7 times: N+1 loops, identical repeats, row-by-row
    inserts, each just below or above the rules' thresholds."""
    import random

    r = random.Random(5)
    lines, clock = [], 1_714_560_000.0
    statements = (
        lambda i: f"SELECT * FROM items WHERE id = {i}",  # a loop over items
        lambda i: "SELECT * FROM settings WHERE key = 'theme'",  # the same query again
        lambda i: f"INSERT INTO events (n) VALUES ({i})",  # one row at a time
    )
    for stretch in range(300):
        pid = 4000 + stretch % 17
        make = statements[stretch % 3]
        runs = [f"SELECT * FROM orders WHERE id = {stretch}"] + [make(i) for i in range(r.randint(1, 7))]
        for sql in runs:
            clock += 0.002
            stamp = f"2024-05-01 {int(clock) % 86400 // 3600:02d}:{int(clock) % 3600 // 60:02d}:{clock % 60:06.3f}"
            lines.append(f"{stamp} UTC [{pid}] LOG:  duration: 0.{r.randint(300, 900)} ms  statement: {sql}\n")
        clock += 1.0  # a pause: the stretch ends
    path = tmp_path_factory.mktemp("loops") / "postgresql.log"
    path.write_text("".join(lines))
    return path


def test_the_request_rules_find_the_same_in_every_unit_as_in_those_kept(loops_log: Path):
    from dbexpert.api.config import Config, enabled_rules, rule_options
    from dbexpert.api.workload import RequestCheck
    from dbexpert.rules.registry import Target, registry

    rules = [r for r in enabled_rules(Config(), registry()) if r.target is Target.REQUEST]
    check = RequestCheck(tuple(r.name for r in rules), rule_options(Config(), registry()), rules)
    assert check.min_runs == 3  # duplicate queries: 3 runs by default; N+1 and per-row inserts: 5
    every = RequestGrouper()
    all_units = [t for e in read_events(loops_log, OPTIONS) for t in every.add(e)] + every.finish()
    kept = RequestGrouper(min_runs=check.min_runs)
    some = [t for e in read_events(loops_log, OPTIONS) for t in kept.add(e)] + kept.finish()
    assert len(some) < len(all_units)
    found = check(some)
    assert {f.rule for f in found} == {"n-plus-one-queries", "duplicate-queries", "per-row-inserts"}
    assert found == check(all_units)


def test_min_runs_follows_the_thresholds():
    from dbexpert.api.config import Config, enabled_rules, rule_options
    from dbexpert.api.workload import RequestCheck
    from dbexpert.rules.registry import Target, registry

    def min_runs(config: Config) -> int:
        rules = [r for r in enabled_rules(config, registry()) if r.target is Target.REQUEST]
        return RequestCheck(tuple(r.name for r in rules), rule_options(config, registry()), rules).min_runs

    assert min_runs(Config(thresholds={"duplicate-queries": {"min_duplicates": 2}})) == 2
    assert min_runs(Config(ignore=("duplicate-queries",))) == 5
    assert min_runs(Config(ignore=("duplicate-queries",), thresholds={"per-row-inserts": {"min_rows": 4}})) == 4
    shipped = RequestCheck(("n-plus-one-queries",), {"n-plus-one-queries": {"min_repeats": 0}})
    assert shipped.min_runs == 1  # every unit, never fewer


def test_analyze_finds_what_the_event_path_finds(tmp_path: Path):
    lines = []
    for n in range(8):  # one session looking up eight customers one by one: an N+1
        lines.append(
            f"2024-05-01 10:00:00.{100 + n * 10:03d} UTC [4242] LOG:  duration: 0.{300 + n} ms  "
            f"statement: SELECT * FROM customers WHERE id = {n + 1}\n"
        )
    path = tmp_path / "postgresql.log"
    path.write_text("".join(lines))
    result = analyze_workload([str(path)], WorkloadOptions(check_queries=False))
    expected = find_nplusone_in_events(read_events(path))
    assert [f.rule for f in result.findings] == ["n-plus-one-queries"]
    assert result.findings == tuple(expected)
