"""The request rules (N+1, per-row inserts, duplicates) under `-j N` and `--state` find what one pass finds,
units straddling a split point or the end of an earlier run included."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from dbexpert.advisors.workload import parallel, stitch
from dbexpert.advisors.workload.incremental import State
from dbexpert.advisors.workload.nplusone import GroupingOptions, RequestGrouper
from dbexpert.advisors.workload.parallel import read_aggregate
from dbexpert.advisors.workload.stitch import Grouping
from dbexpert.api.workload import RequestCheck, find_nplusone_in_events
from dbexpert.model import Finding
from dbexpert.model.workload import Place, QueryEvent
from dbexpert.sources.logs import ReadOptions, read_events

FMT = "postgres-stderr"
BASE = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC).timestamp()


def _storm_lines(sessions: int, storms: int, prefix_xid: bool, pad: int = 0) -> list[str]:
    """Sessions that each run, storm after storm, a source query, an N+1 over 8 items, a settings
    lookup asked three times, five one-row inserts and a COMMIT, a statement every 15 ms, a storm
    every 400 ms. Their lines interleave, the sessions' storms staggered so that any split point
    falls inside some session's N+1. ``pad`` adds a comment of that many characters to each statement."""
    timed: list[tuple[float, int, str]] = []
    for session in range(sessions):
        pid = 4000 + session
        for storm in range(storms):
            xid = 1000 + storm * sessions + session
            t = BASE + storm * 0.4 + session * 0.4 / sessions
            statements = [f"SELECT id FROM orders WHERE customer_id = {storm}"]
            statements += [f"SELECT name FROM items WHERE id = {storm * 10 + k}" for k in range(8)]
            statements += ["SELECT * FROM settings WHERE tenant_id = 7"] * 3
            statements += [f"INSERT INTO audit (item, qty) VALUES ({storm * 10 + k}, {k})" for k in range(5)]
            statements.append("COMMIT")
            comment = f" /* {'x' * pad} */" if pad else ""
            for n, sql in enumerate(statements):
                at = t + n * 0.015
                stamp = datetime.datetime.fromtimestamp(at, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
                xid_part = f"{xid} " if prefix_xid else ""
                line = f"{stamp} UTC [{pid}] {xid_part}LOG:  duration: 0.{300 + n} ms  statement: {sql}{comment}\n"
                timed.append((at, pid, line))
    timed.sort()
    return [line for _, _, line in timed]


def _prefix(xid: bool) -> str:
    return "%m [%p] %x " if xid else "%m [%p] "


def _check() -> RequestCheck:
    return RequestCheck(("duplicate-queries", "n-plus-one-queries", "per-row-inserts"), {})


def _facts(findings: list[Finding]) -> list[dict[str, Any]]:
    ordered = sorted(findings, key=lambda f: (f.location.path or "", f.location.line or 0))
    return [{**f.to_dict(), "evidence": dict(f.evidence)} for f in ordered]


def _one_pass(log: Path, prefix: str) -> list[dict[str, Any]]:
    events = read_events(log, ReadOptions(log_line_prefix=prefix, format=FMT))
    return _facts(find_nplusone_in_events(events))


def _split_line(log: Path, prefix: str, jobs: int) -> list[int]:
    """The first line of every range after the first that ``-j jobs`` reads."""
    options = parallel.resolved_options(log, FMT, ReadOptions(log_line_prefix=prefix))
    size = log.stat().st_size
    ranges = parallel._ranges(log, FMT, options, 0, size, jobs, 1)
    data = log.read_bytes()
    return [data[:begin].count(b"\n") + 1 for begin, _ in ranges[1:]]


def _straddles(facts: list[dict[str, Any]], line: int, rule: str = "n-plus-one-queries") -> bool:
    return any(
        f["rule"] == rule and f["evidence"]["first_line"] < line <= f["evidence"]["last_line"] for f in facts
    )


@pytest.mark.parametrize("xid", [False, True], ids=["sessions", "transactions"])
@pytest.mark.parametrize("jobs", [2, 3])
def test_processes_find_what_one_pass_finds(tmp_path: Path, jobs: int, xid: bool):
    log = tmp_path / "postgresql.log"
    log.write_text("".join(_storm_lines(5, 40, xid)))
    prefix = _prefix(xid)
    expected = _one_pass(log, prefix)
    assert {f["rule"] for f in expected} == {"n-plus-one-queries", "duplicate-queries", "per-row-inserts"}
    assert len([f for f in expected if f["rule"] == "n-plus-one-queries"]) == 5 * 40
    for line in _split_line(log, prefix, jobs):
        assert _straddles(expected, line)  # the split point falls inside a storm
    grouping = Grouping(_check())
    read_aggregate(log, FMT, ReadOptions(log_line_prefix=prefix), jobs=jobs, min_chunk=1, grouping=grouping)
    assert _facts(grouping.final()) == expected
    assert 0 < grouping.reread_items <= 1024 * (jobs - 1)  # joined at the first checkpoint


def test_a_part_whose_checkpoints_never_agree_is_grouped_again_by_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    log = tmp_path / "postgresql.log"
    log.write_text("".join(_storm_lines(4, 30, False)))
    expected = _one_pass(log, _prefix(False))
    # Checkpoints after 3 items: the storms open at the split point are still open there.
    monkeypatch.setattr(stitch, "_CHECKPOINTS", (3,))
    grouping = Grouping(_check())
    read_aggregate(log, FMT, ReadOptions(log_line_prefix=_prefix(False)), jobs=2, min_chunk=1, grouping=grouping)
    assert _facts(grouping.final()) == expected
    lines = log.read_text().count("\n")
    assert grouping.reread_items > lines // 3  # the whole second part, read again


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("xid", [False, True], ids=["sessions", "transactions"])
def test_state_runs_report_the_findings_of_the_whole_log(tmp_path: Path, jobs: int, xid: bool):
    prefix = _prefix(xid)
    lines = _storm_lines(4, 40, xid)
    cut = len(lines) // 2 + 3  # inside the storms of every session
    log, state_file = tmp_path / "postgresql.log", tmp_path / "state"
    log.write_text("".join(lines[:cut]))
    expected_first = _one_pass(log, prefix)

    def run() -> tuple[State, list[dict[str, Any]]]:
        state = State.load(state_file)
        grouping = Grouping(_check())
        state.read(log, FMT, ReadOptions(log_line_prefix=prefix), jobs, grouping=grouping)
        state.save(state_file)
        return state, _facts(grouping.final())

    _, first = run()
    assert first == expected_first
    state, again = run()
    assert state.reused == 1 and again == expected_first
    with log.open("a") as handle:
        handle.write("".join(lines[cut:]))
    whole = _one_pass(log, prefix)
    assert _straddles(whole, cut + 1)  # a storm open where the first run ended
    state, appended = run()
    assert state.appended == 1 and appended == whole
    state, unchanged = run()
    assert state.reused == 1 and unchanged == whole


def test_state_made_with_other_rules_is_read_afresh(tmp_path: Path):
    log, state_file = tmp_path / "postgresql.log", tmp_path / "state"
    log.write_text("".join(_storm_lines(2, 10, False)))
    options = ReadOptions(log_line_prefix=_prefix(False))
    state = State.load(state_file)
    state.read(log, FMT, options, grouping=Grouping(_check()))
    state.save(state_file)
    other = Grouping(RequestCheck(("n-plus-one-queries",), {"n-plus-one-queries": {"min_repeats": 3}}))
    state = State.load(state_file)
    state.read(log, FMT, options, grouping=other)
    assert state.reused == 0 and {f.rule for f in other.final()} == {"n-plus-one-queries"}


def _e(sql: str, ts: float, session: str | None = None, transaction: str | None = None, line: int = 1) -> QueryEvent:
    return QueryEvent(sql=sql, place=Place("log", line), timestamp=ts, duration_ms=0.5, session=session,
                      transaction=transaction)  # fmt: skip


def test_a_grouper_resumed_from_its_state_goes_on_as_one_pass():
    events = [
        _e(f"SELECT {n % 3} FROM t WHERE id = {n}", 100.0 + n * 0.05, session=str(n % 4), line=n) for n in range(400)
    ]
    one = RequestGrouper()
    whole = [t for e in events for t in one.add(e)] + one.finish()
    first = RequestGrouper()
    parts = [t for e in events[:150] for t in first.add(e)]
    state = first.state()
    assert RequestGrouper(state=state).state().digest() == state.digest() != RequestGrouper().state().digest()
    second = RequestGrouper(state=state)
    parts += [t for e in events[150:] for t in second.add(e)] + second.finish()
    assert parts == whole


def test_transactions_end_with_commit_or_when_silent():
    grouper = RequestGrouper(GroupingOptions(stale_after_s=60.0))
    closed = grouper.add(_e("SELECT 1", 10.0, session="1", transaction="7", line=1))
    closed += grouper.add(_e("COMMIT", 10.1, session="1", transaction="7", line=2))
    assert [(t.kind, t.key, len(t.queries)) for t in closed] == [("transaction", "1/7", 2)]
    closed = grouper.add(_e("SELECT 1", 20.0, session="2", transaction="8", line=3))
    closed += grouper.add(_e("SELECT 2", 200.0, session="3", transaction="9", line=4))  # 180 s later
    assert [(t.key, len(t.queries)) for t in closed] == [("2/8", 1)]
