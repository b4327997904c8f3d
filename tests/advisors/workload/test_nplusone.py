"""Grouping workload events into requests, transactions and session stretches."""

from __future__ import annotations

from pathlib import Path

from dbexpert.advisors.workload.nplusone import GroupingOptions, group_requests
from dbexpert.api.workload import find_nplusone_in_events
from dbexpert.model.workload import Place, QueryEvent
from dbexpert.sources.logs import read_events


def _e(sql, ts, request=None, session=None, transaction=None, ms=1.0, line=1, calls=1):
    return QueryEvent(sql=sql, place=Place("log", line), timestamp=ts, duration_ms=ms, request=request,
                      session=session, transaction=transaction, calls=calls)


def test_request_id_wins_and_queries_are_ordered_by_start_time():
    events = [_e("SELECT 2", 2.0, request="a", session="s"), _e("SELECT 1", 1.0, request="a", session="s"),
              _e("SELECT 3", 1.5, request="b", session="s")]
    traces = {t.key: t for t in group_requests(events)}
    assert set(traces) == {"a", "b"} and traces["a"].kind == "request"
    assert [q.event.sql for q in traces["a"].queries] == ["SELECT 1", "SELECT 2"]
    assert traces["a"].queries[0].shape == "select ?"


def test_sessions_split_on_pauses_and_transaction_ends():
    events = [_e("SELECT 1", 0.0, session="9", line=1), _e("SELECT 2", 0.05, session="9", line=2),
              _e("SELECT 3", 5.0, session="9", line=3), _e("COMMIT", 5.01, session="9", line=4),
              _e("SELECT 4", 5.02, session="9", line=5)]
    traces = list(group_requests(events, GroupingOptions(session_gap_ms=200)))
    assert [(t.kind, len(t.queries)) for t in traces] == [("session", 2), ("session", 2), ("session", 1)]
    assert traces[0].key == "9@log:1" and traces[1].key == "9@log:3"


def test_transactions_bounded_memory_and_aggregated_sources():
    events = [_e(f"SELECT {i}", i, session="1", transaction="77") for i in range(5)]
    events.append(_e("SELECT x", 1.0, calls=100))  # a pg_stat_statements row: no order inside
    traces = list(group_requests(events, GroupingOptions(max_queries=3)))
    assert [(t.kind, t.key, len(t.queries)) for t in traces] == [("transaction", "1/77", 3), ("transaction", "1/77", 2)]
    many = [_e("SELECT 1", i, request=str(i)) for i in range(10)]
    assert len(list(group_requests(many, GroupingOptions(max_open=3)))) == 10


def test_n_plus_one_in_a_mysql_slow_log_by_session(tmp_path: Path):
    entries = []
    for i in range(7):
        entries.append(
            f"# Time: 2024-01-15T10:00:00.{i:06d}Z\n# User@Host: app[app] @ web [10.0.0.1]  Id:    31\n"
            f"# Query_time: 0.000400  Lock_time: 0.000001 Rows_sent: 1  Rows_examined: 1\n"
            f"SET timestamp=1705312800;\nSELECT * FROM customers WHERE id = {i + 10};\n"
        )
    path = tmp_path / "slow.log"
    path.write_text("".join(entries))
    (finding,) = [f for f in find_nplusone_in_events(read_events(path)) if f.rule == "n-plus-one-queries"]
    assert finding.evidence["session"].startswith("31@") and finding.evidence["count"] == 7
    assert finding.fix.sql == "SELECT * FROM customers WHERE id IN (?, ?, …);"


def test_workload_analyze_reports_n_plus_one_from_a_trace_file(tmp_path: Path):
    import json

    from dbexpert.api.workload import WorkloadOptions, analyze_workload

    lines = [{"trace_id": "GET /orders", "ts": 1705312800.0, "duration_ms": 2.0, "sql": "SELECT id, customer_id FROM orders LIMIT 20"}]
    lines += [{"trace_id": "GET /orders", "ts": 1705312800.01 + i / 1000, "duration_ms": 0.4,
               "sql": f"SELECT name FROM customers WHERE id = {i}"} for i in range(20)]
    lines += [{"trace_id": f"GET /orders/{i}", "ts": 1705312900.0 + i, "duration_ms": 0.4,
               "sql": f"SELECT name FROM customers WHERE id = {i}"} for i in range(20)]
    path = tmp_path / "trace.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = analyze_workload([str(path)], WorkloadOptions(check_queries=False))
    (finding,) = [f for f in result.findings if f.rule == "n-plus-one-queries"]
    assert finding.evidence["request"] == "GET /orders" and finding.evidence["count"] == 20
    assert finding.fix.sql == "SELECT name, id FROM customers WHERE id = ANY($1);"
    assert (finding.location.path, finding.location.line) == (str(path), 2)


def test_silent_sessions_are_closed_as_log_time_passes():
    from dbexpert.advisors.workload.nplusone import RequestGrouper

    grouper = RequestGrouper(GroupingOptions(stale_after_s=60.0))
    closed = []
    for pid in range(100):  # each backend runs two statements and exits: its pid never comes back
        closed += grouper.add(_e("SELECT 1", 1000.0 + pid * 10, session=str(pid), line=2 * pid))
        closed += grouper.add(_e("SELECT 2", 1000.1 + pid * 10, session=str(pid), line=2 * pid + 1))
    assert len(grouper._open) <= 8  # the sessions of the last minute or so, not all 100
    closed += grouper.finish()
    assert len(closed) == 100 and all(len(t.queries) == 2 for t in closed)
    assert sorted(t.key for t in closed) == sorted(f"{pid}@log:{2 * pid}" for pid in range(100))
