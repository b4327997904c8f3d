"""PostgreSQL csvlog and jsonlog.

The test server logs to stderr without the logging collector, and switching on csvlog or jsonlog
needs a restart of a server others use: these records are written here in the layouts the
PostgreSQL documentation gives ("Using CSV-Format Log Output": 23 columns in 12, + backend_type in
13, + leader_pid and query_id from 14; "Using JSON-Format Log Output", 15+), with the messages the
local PostgreSQL 15 wrote to its stderr log for the same statements.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbexpert.model.workload import LogEvent, LogEventKind, QueryEvent, ReadProblem
from dbexpert.sources.logs import ReadOptions, detect_format, read_events


def _row(message: str, severity: str = "LOG", columns: int = 26, **fields: str) -> list[str]:
    row = [
        "2024-05-01 12:00:00.123 UTC", "app", "shop", "4242", "10.0.0.5:51234", "6630b1a0.1092", "3",
        "SELECT", "2024-05-01 11:59:00 UTC", "3/1542", "0", severity, "00000", message,
        fields.get("detail", ""), "", "", "", fields.get("context", ""), fields.get("query", ""), "", "",
        "psql", "client backend", "", fields.get("query_id", "0"),
    ]  # fmt: skip
    return row[:columns]


# Columns the server writes as quoted literals (appendCSVLiteral); the others go bare.
_QUOTED = {1, 2, 4, 7, 13, 14, 15, 16, 18, 19, 21, 22, 23}


def _csv(rows: list[list[str]]) -> str:
    def cell(index: int, value: str) -> str:
        if index in _QUOTED and value:
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(",".join(cell(i, v) for i, v in enumerate(row)) + "\n" for row in rows)


def _read(tmp_path: Path, name: str, text: str) -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(read_events(path, ReadOptions()))


@pytest.mark.parametrize("columns", [23, 24, 26])
def test_csvlog_of_every_version_with_multi_line_statements(tmp_path: Path, columns: int):
    text = _csv(
        [
            _row(
                "duration: 0.314 ms  statement: SELECT id,\n       name\n  FROM t\n WHERE note = 'it''s'",
                columns=columns,
            ),
            _row(
                "duration: 0.042 ms  execute <unnamed>: SELECT * FROM t WHERE id = $1",
                columns=columns,
                detail="parameters: $1 = '7'",
            ),  # fmt: skip
            _row("division by zero", "ERROR", columns=columns, query="SELECT 1/0;"),
        ]
    )
    path = tmp_path / "postgresql.csv"
    path.write_text(text)
    assert detect_format(path) == "postgres-csvlog"
    events = _read(tmp_path, "postgresql.csv", text)
    queries = [e for e in events if isinstance(e, QueryEvent)]
    assert [(q.sql, q.duration_ms, q.place.line, q.parameters) for q in queries] == [
        ("SELECT id,\n       name\n  FROM t\n WHERE note = 'it''s'", 0.314, 1, ()),
        ("SELECT * FROM t WHERE id = $1", 0.042, 5, ("7",)),
    ]
    assert (queries[0].user, queries[0].database, queries[0].client, queries[0].session) == (
        "app", "shop", "10.0.0.5:51234", "6630b1a0.1092",
    )  # fmt: skip
    (error,) = [e for e in events if isinstance(e, LogEvent)]
    assert (error.kind, error.sql, error.place.line) == (LogEventKind.ERROR, "SELECT 1/0;", 6)


def test_csvlog_query_id_and_bad_records(tmp_path: Path):
    text = _csv([_row("duration: 1.000 ms  statement: SELECT 1", query_id="-6094229591367437376")])
    text += "truncated,record\n" + _csv([_row("duration: 2.000 ms  statement: SELECT 2")])
    events = _read(tmp_path, "postgresql.csv", text)
    assert [e.place.line for e in events if isinstance(e, ReadProblem)] == [2]
    queries = [e for e in events if isinstance(e, QueryEvent)]
    assert [(q.sql, q.queryid) for q in queries] == [("SELECT 1", "-6094229591367437376"), ("SELECT 2", None)]


def _json(message: str, **fields: object) -> str:
    entry: dict[str, object] = {
        "timestamp": "2024-05-01 12:00:00.123 UTC", "user": "app", "dbname": "shop", "pid": 4242,
        "remote_host": "10.0.0.5", "remote_port": 51234, "session_id": "6630b1a0.1092", "line_num": 3,
        "ps": "SELECT", "session_start": "2024-05-01 11:59:00 UTC", "vxid": "3/1542", "txid": 0,
        "error_severity": "LOG", "message": message, "application_name": "psql",
        "backend_type": "client backend", "query_id": 0,
    }  # fmt: skip
    entry.update(fields)
    return json.dumps(entry)


def test_jsonlog(tmp_path: Path):
    text = "\n".join(
        [
            _json("duration: 0.314 ms  statement: SELECT id,\n  name FROM t"),
            _json(
                "duration: 0.042 ms  execute S_1: SELECT * FROM t WHERE id = $1",
                detail="parameters: $1 = NULL",
            ),
            _json('temporary file: path "base/pgsql_tmp/pgsql_tmp4242.0", size 344064', statement="SELECT 2"),
            _json("deadlock detected", error_severity="ERROR", state_code="40P01", detail="Process 1 waits"),
            '{"timestamp": "2024-05-01 12:00:0',  # cut short
        ]
    )
    path = tmp_path / "postgresql.json"
    path.write_text(text)
    assert detect_format(path) == "postgres-jsonlog"
    events = _read(tmp_path, "postgresql.json", text)
    queries = [e for e in events if isinstance(e, QueryEvent)]
    assert [(q.sql, q.parameters, q.client, q.session) for q in queries] == [
        ("SELECT id,\n  name FROM t", (), "10.0.0.5:51234", "6630b1a0.1092"),
        ("SELECT * FROM t WHERE id = $1", ("NULL",), "10.0.0.5:51234", "6630b1a0.1092"),
    ]
    kinds = {e.kind: e for e in events if isinstance(e, LogEvent)}
    assert kinds[LogEventKind.TEMP_FILE].amount == 344064 and kinds[LogEventKind.TEMP_FILE].sql == "SELECT 2"
    assert kinds[LogEventKind.DEADLOCK].detail == "Process 1 waits"
    assert [e.place.line for e in events if isinstance(e, ReadProblem)] == [5]
