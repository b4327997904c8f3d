"""Application traces as JSON lines, with the field names different tracers use."""

from __future__ import annotations

import json

from dbexpert.model import Engine
from dbexpert.model.workload import QueryEvent, ReadProblem
from dbexpert.sources.logs import ReadOptions, detect_format, read_events
from dbexpert.sources.logs.traces import epoch_seconds, sniff


def _write(tmp_path, records, extra=""):
    path = tmp_path / "trace.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n" + extra)
    return path


def test_common_field_names(tmp_path):
    path = _write(
        tmp_path,
        [
            {"trace_id": "t1", "ts": "2024-01-15T10:00:00.250Z", "duration_ms": 1.5, "sql": "SELECT 1", "span_id": "s1"},
            {"traceId": "t2", "timestamp": 1705312800123, "duration": 2, "query": "SELECT 2", "db.system": "mysql"},
            {"request_id": "r3", "start_time": 1705312800.5, "elapsed": 3, "statement": "SELECT 3",
             "params": [1, "a"], "service": "shop", "connection_id": 7, "parent_span_id": "p"},
            {"requestId": "r4", "@timestamp": 1705312800000000000, "duration_us": 4000,
             "attributes": {"db.statement": "SELECT 4", "db.name": "shop"}},
        ],
    )
    assert detect_format(path) == "trace-jsonl"
    events = list(read_events(path))
    assert all(isinstance(e, QueryEvent) for e in events)
    one, two, three, four = events
    assert (one.request, one.sql, one.duration_ms, one.span, one.timestamp) == ("t1", "SELECT 1", 1.5, "s1", 1705312800.25)
    assert (two.request, two.engine, two.timestamp) == ("t2", Engine.MYSQL, 1705312800.123)
    assert (three.request, three.parameters, three.application, three.session, three.parent_span) == (
        "r3", ("1", "a"), "shop", "7", "p")
    assert (four.request, four.sql, four.duration_ms, four.database, four.timestamp) == (
        "r4", "SELECT 4", 4.0, "shop", 1705312800.0)
    assert [e.place.line for e in events] == [1, 2, 3, 4]


def test_bad_lines_are_counted(tmp_path):
    path = _write(tmp_path, [{"trace_id": "t", "sql": "SELECT 1"}], extra='{"trace_id": "t", "sq\n[1, 2]\n{"msg": "no sql"}\n\n')
    events = list(read_events(path, ReadOptions(format="trace-jsonl")))
    problems = [e for e in events if isinstance(e, ReadProblem)]
    assert [p.place.line for p in problems] == [2, 3, 4]
    assert len([e for e in events if isinstance(e, QueryEvent)]) == 1


def test_sniff_and_times():
    assert sniff('{"trace_id": "a", "sql": "SELECT 1"}\n')
    assert not sniff('{"timestamp": "x", "error_severity": "LOG", "message": "m"}\n')
    assert not sniff('{"resourceSpans": []}\n')
    assert epoch_seconds("2024-01-15T10:00:00+01:00") == 1705309200.0
    assert epoch_seconds(1705309200000000) == 1705309200.0
    assert epoch_seconds("yesterday") is None
