"""PostgreSQL jsonlog (``log_destination = 'jsonlog'``, PostgreSQL 15 and later): one JSON object a
line, keys as in the PostgreSQL documentation ("Using JSON-Format Log Output"): timestamp, user,
dbname, pid, remote_host, remote_port, session_id, line_num, ps, session_start, vxid, txid,
error_severity, state_code, message, detail, hint, internal_query, internal_position, context,
statement, cursor_position, func_name, file_name, file_line_num, application_name, backend_type,
leader_pid, query_id. Keys whose value is empty are left out by the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from dbexpert.model import Engine
from dbexpert.model.workload import Place, ReadProblem
from dbexpert.sources.logs import ReadOptions
from dbexpert.sources.logs._pg_events import Event, Interpreter, Item, Record, events

ENGINE = Engine.POSTGRES  # of the query rows ``read_items`` yields


def sniff(head: str) -> bool:
    first = head.lstrip("\ufeff \n")[:4096]
    return first.startswith('{"timestamp":') and '"error_severity":' in first


def read(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Event]:
    return read_lines(lines, path)


def read_items(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Item]:
    """As :func:`read`, queries as :data:`~dbexpert.model.query_row.QueryRow` tuples."""
    return line_items(lines, path)


def read_lines(lines: Iterable[str], path: str, first_line: int = 1) -> Iterator[Event]:
    return events(line_items(lines, path, first_line))


def line_items(lines: Iterable[str], path: str, first_line: int = 1) -> Iterator[Item]:
    """As :func:`read_lines`, queries as :data:`~dbexpert.model.query_row.QueryRow` tuples."""
    interpreter = Interpreter()
    out: list[Item] = []
    for number, line in enumerate(lines, first_line):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            yield ReadProblem(Place(path, number), "not a JSON object (truncated or foreign line)")
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("message"), str):
            yield ReadProblem(Place(path, number), "a JSON line without a PostgreSQL log message")
            continue
        host, port = entry.get("remote_host"), entry.get("remote_port")
        xid = _text(entry.get("txid"))
        interpreter.feed(
            Record(
                path=path,
                line=number,
                severity=str(entry.get("error_severity", "LOG")),
                message=entry["message"],
                timestamp=_text(entry.get("timestamp")),
                pid=_text(entry.get("pid")),
                session=_text(entry.get("session_id")),
                user=_text(entry.get("user")),
                database=_text(entry.get("dbname")),
                application=_text(entry.get("application_name")),
                client=f"{host}:{port}" if host and port else _text(host),
                transaction=xid if xid not in (None, "0") else _text(entry.get("vxid")),
                queryid=_text(entry.get("query_id")),
                detail=_text(entry.get("detail")),
                hint=_text(entry.get("hint")),
                context=_text(entry.get("context")),
                statement=_text(entry.get("statement")),
            ),
            out,
        )
        if out:
            yield from out
            out.clear()
    interpreter.finish(out)
    yield from out


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
