"""PostgreSQL csvlog (``log_destination = 'csvlog'``), PostgreSQL 12 to 17.

Columns (PostgreSQL documentation, "Using CSV-Format Log Output"): log_time, user_name,
database_name, process_id, connection_from, session_id, session_line_num, command_tag,
session_start_time, virtual_transaction_id, transaction_id, error_severity, sql_state_code, message,
detail, hint, internal_query, internal_query_pos, context, query, query_pos, location,
application_name — 23 columns up to PostgreSQL 12; 13 adds backend_type; 14 adds leader_pid and
query_id (26 columns, unchanged through 17). The csv module reassembles quoted fields that span
lines (multi-line statements), and its line counter gives each record's first line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

from dbexpert.model import Engine
from dbexpert.model.workload import Place, ReadProblem
from dbexpert.sources.logs import ReadOptions
from dbexpert.sources.logs._pg_events import Event, Interpreter, Item, Record, events

_FIRST_LINE = re.compile(
    r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[^,]*,(?:"(?:[^"]|"")*"|[^,"]*),(?:"(?:[^"]|"")*"|[^,"]*),\d+,'
)
_COLUMNS = (23, 24, 26)
_LOG_TIME, _USER, _DATABASE, _PID, _CLIENT, _SESSION = 0, 1, 2, 3, 4, 5
_VXID, _XID, _SEVERITY, _MESSAGE, _DETAIL, _HINT, _CONTEXT, _QUERY, _APPLICATION = (
    9,
    10,
    11,
    13,
    14,
    15,
    18,
    19,
    22,
)
_QUERY_ID = 25

ENGINE = Engine.POSTGRES  # of the query rows ``read_items`` yields


def sniff(head: str) -> bool:
    return _FIRST_LINE.match(head.lstrip("\ufeff")) is not None


def read(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Event]:
    return read_lines(lines, path)


def read_items(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Item]:
    """As :func:`read`, queries as :data:`~dbexpert.model.query_row.QueryRow` tuples."""
    return line_items(lines, path)


def read_lines(lines: Iterable[str], path: str, first_line: int = 1) -> Iterator[Event]:
    return events(line_items(lines, path, first_line))


def line_items(lines: Iterable[str], path: str, first_line: int = 1) -> Iterator[Item]:
    """As :func:`read_lines`, queries as :data:`~dbexpert.model.query_row.QueryRow` tuples."""
    # The csv module refuses fields over 128 KiB by default; logged statements can be longer.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    interpreter = Interpreter()
    out: list[Item] = []
    rows = csv.reader(_Lines(lines))
    start = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # a NUL byte and the like: the rest of that line is lost
            yield ReadProblem(Place(path, first_line + start - 1), f"not a csvlog record ({exc})")
            start = rows.line_num + 1
            continue
        line = first_line + start - 1
        start = rows.line_num + 1
        if len(row) not in _COLUMNS or not row[_PID].isdigit():
            yield ReadProblem(
                Place(path, line), f"not a csvlog record ({len(row)} columns, expected 23, 24 or 26)"
            )
            continue
        interpreter.feed(
            Record(
                path=path,
                line=line,
                severity=row[_SEVERITY],
                message=row[_MESSAGE],
                timestamp=row[_LOG_TIME],
                pid=row[_PID],
                session=row[_SESSION] or None,
                user=row[_USER],
                database=row[_DATABASE],
                application=row[_APPLICATION],
                client=row[_CLIENT],
                transaction=row[_XID] if row[_XID] not in ("", "0") else row[_VXID] or None,
                queryid=row[_QUERY_ID] if len(row) > _QUERY_ID else None,
                detail=row[_DETAIL] or None,
                hint=row[_HINT] or None,
                context=row[_CONTEXT] or None,
                statement=row[_QUERY] or None,
            ),
            out,
        )
        if out:
            yield from out
            out.clear()
    interpreter.finish(out)
    yield from out


class _Lines:
    """Lines with NUL bytes blanked: the csv module refuses them, a log may hold them."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        return line.replace("\x00", "\ufffd") if "\x00" in line else line
