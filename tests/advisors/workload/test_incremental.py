"""--state: unchanged logs are not read again, appended data is read once, anything else afresh."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from dbexpert.advisors.workload import parallel
from dbexpert.advisors.workload.aggregate import WorkloadAggregate
from dbexpert.advisors.workload.incremental import State
from dbexpert.model import InputError
from dbexpert.sources.logs import ReadOptions

FMT = "postgres-stderr"


def _entries(start: int, count: int) -> str:
    return "".join(
        f"2024-05-01 12:00:00.{n % 1000:03d} UTC [{n % 3}] app@shop LOG:  duration: 1.0 ms  statement: SELECT x FROM t{n % 4} WHERE id = {n}\n"
        for n in range(start, start + count)
    )


def _run(state_file: Path, log: Path, spy: list[tuple[int, int]]) -> tuple[State, WorkloadAggregate]:
    state = State.load(state_file)
    aggregate = state.read(log, FMT, ReadOptions())
    state.save(state_file)
    return state, aggregate


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(start offset, first line) of every read of the log, to see what a run really read."""
    calls: list[tuple[int, int]] = []
    real = parallel.read_aggregate

    def recording(path, fmt, options, jobs=1, start=0, first_line=1, **kw):  # type: ignore[no-untyped-def]
        calls.append((start, first_line))
        return real(path, fmt, options, jobs, start, first_line, **kw)

    monkeypatch.setattr("dbexpert.advisors.workload.incremental.read_aggregate", recording)
    return calls


def test_unchanged_reused_appended_read_once(tmp_path: Path, spy: list[tuple[int, int]]):
    log, state_file = tmp_path / "postgresql.log", tmp_path / "state"
    log.write_text(_entries(0, 100))
    _, first = _run(state_file, log, spy)
    state, again = _run(state_file, log, spy)
    assert spy == [(0, 1)] and state.reused == 1
    assert {k: g.calls for k, g in again.groups.items()} == {k: g.calls for k, g in first.groups.items()}

    size = log.stat().st_size
    with log.open("a") as handle:
        handle.write(_entries(100, 50))
    state, grown = _run(state_file, log, spy)
    assert spy[-1] == (size, 101) and state.appended == 1
    assert grown.query_events == 150 and sum(g.calls for g in grown.groups.values()) == 150
    latest = max(g.example_place.line for g in grown.groups.values())
    assert latest <= 4  # the examples stay the first calls, from the first run

    fresh, whole = State(), None
    whole = fresh.read(log, FMT, ReadOptions())
    assert {k: g.calls for k, g in whole.groups.items()} == {k: g.calls for k, g in grown.groups.items()}


def test_a_half_written_last_line_waits_for_the_next_run(tmp_path: Path, spy: list[tuple[int, int]]):
    log, state_file = tmp_path / "postgresql.log", tmp_path / "state"
    complete = _entries(0, 10)
    log.write_text(complete + _entries(10, 1)[:40])
    _, first = _run(state_file, log, spy)
    assert first.query_events == 10 and first.problems.count == 0
    log.write_text(complete + _entries(10, 5))
    _, second = _run(state_file, log, spy)
    assert second.query_events == 15 and second.problems.count == 0
    assert spy[-1] == (len(complete), 11)


def test_rotated_or_rewritten_files_are_read_afresh(tmp_path: Path, spy: list[tuple[int, int]]):
    log, state_file = tmp_path / "postgresql.log", tmp_path / "state"
    log.write_text(_entries(0, 20))
    _run(state_file, log, spy)
    log.write_text(_entries(500, 30))  # same path, other content, larger
    _, aggregate = _run(state_file, log, spy)
    assert spy[-1] == (0, 1) and aggregate.query_events == 30
    os.replace(log, tmp_path / "old.log")
    log.write_text(_entries(0, 5))  # rotated: a new, shorter file
    _, aggregate = _run(state_file, log, spy)
    assert spy[-1] == (0, 1) and aggregate.query_events == 5


def test_gzip_files_are_reused_when_unchanged(tmp_path: Path, spy: list[tuple[int, int]]):
    log, state_file = tmp_path / "postgresql.log.gz", tmp_path / "state"
    log.write_bytes(gzip.compress(_entries(0, 20).encode()))
    _run(state_file, log, spy)
    state, aggregate = _run(state_file, log, spy)
    assert len(spy) == 1 and state.reused == 1 and aggregate.query_events == 20


def test_a_foreign_state_file_is_an_input_error(tmp_path: Path):
    bad = tmp_path / "state"
    bad.write_text("not a pickle")
    with pytest.raises(InputError, match="not a dbexpert workload state file"):
        State.load(bad)


def test_workload_analyze_with_state_and_jobs(tmp_path: Path):
    from dbexpert.api.workload import WorkloadOptions, analyze_workload

    log, state_file = tmp_path / "postgresql.log", tmp_path / "state"
    log.write_text(_entries(0, 400))
    plain = analyze_workload([str(log)], WorkloadOptions(check_queries=False))
    options = WorkloadOptions(check_queries=False, state=state_file, jobs=2)
    first = analyze_workload([str(log)], options)
    second = analyze_workload([str(log)], options)
    assert any("1 files unchanged" in note for note in second.notes)
    for result in (first, second):
        assert {k: g.calls for k, g in result.aggregate.groups.items()} == {
            k: g.calls for k, g in plain.aggregate.groups.items()
        }
