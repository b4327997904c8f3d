"""PostgreSQL stderr logs (``log_destination = 'stderr'``), with any ``log_line_prefix``.

The prefix is given (``--log-line-prefix``) or guessed from the first lines among the common
defaults (see ``_pg_prefix``). A message is a prefixed line and the lines that continue it: the
server starts them with a tab; lines without a recognizable prefix right after a statement are read
as its continuation too (some collectors strip the tab). DETAIL, HINT, CONTEXT and STATEMENT lines
attach to the message just before them: the server writes a message and its details in one piece.

Speed: a continuation line is decided by its first character; only header lines meet the prefix
regex, once each, and their fields come out of it in one call. :func:`read_items` hands queries on
as plain :data:`~dbexpert.model.query_row.QueryRow` tuples (what the workload analysis reads);
:func:`read` turns them into :class:`QueryEvent` values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from operator import itemgetter

from dbexpert.model import Engine
from dbexpert.model.workload import Place, ReadProblem
from dbexpert.sources.logs import ReadOptions
from dbexpert.sources.logs._pg_events import Event, Interpreter, Item, Record, events
from dbexpert.sources.logs._pg_prefix import FIELDS, SEVERITIES, compile_prefix, guess_prefix

_SECONDARY = frozenset({"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"})
_GUESS_LINES = 200
_HEAD_MARKERS = tuple(f" {word}:  " for word in SEVERITIES.replace("[1-5]?", "").split("|"))

ENGINE = Engine.POSTGRES  # of the query rows ``read_items`` yields


def sniff(head: str) -> bool:
    lines = [line for line in head.splitlines()[:_GUESS_LINES] if line and not line[0].isspace()]
    if not lines:
        return False
    hits = sum(
        1 for line in lines if any(marker in line for marker in _HEAD_MARKERS) or line.startswith("LOG:  ")
    )
    return hits * 2 >= len(lines)


def read(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Event]:
    return events(read_items(lines, path, options))


def read_items(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Item]:
    """As :func:`read`, queries as :data:`~dbexpert.model.query_row.QueryRow` tuples."""
    iterator = iter(lines)
    head = list(islice(iterator, _GUESS_LINES))
    if options.log_line_prefix is not None:
        prefix = compile_prefix(options.log_line_prefix)
    else:
        prefix = guess_prefix([line.rstrip("\r\n") for line in head])
    return line_items(chain(head, iterator), path, prefix.regex)


def read_lines(
    lines: Iterable[str], path: str, regex: re.Pattern[str], first_line: int = 1
) -> Iterator[Event]:
    """The events of ``lines`` (the first being line ``first_line`` of ``path``) for a compiled prefix."""
    return events(line_items(lines, path, regex, first_line))


def line_items(
    lines: Iterable[str], path: str, regex: re.Pattern[str], first_line: int = 1
) -> Iterator[Item]:
    """As :func:`read_lines`, queries as :data:`~dbexpert.model.query_row.QueryRow` tuples."""
    interpreter = Interpreter()
    feed = interpreter.feed
    out: list[Item] = []
    match = regex.match
    # The fields in _GROUPS order from one tuple of all groups (no lookup of each group by name).
    pick = itemgetter(*(regex.groupindex[name] - 1 for name in _GROUPS))
    has_pid = "(?P<pid>)" not in regex.pattern  # an empty stand-in when the prefix has no %p
    current: Record | None = None
    field = "message"  # the field continuation lines extend
    parts: list[str] = []  # continuation lines of ``field``, joined when the record is done
    number = first_line - 1
    for raw in lines:
        number += 1
        line = raw.rstrip("\r\n")
        if not line:
            continue
        if line[0] == "\t":
            if current is None:
                yield ReadProblem(Place(path, number), "a continuation line without a message before it")
            else:
                parts.append(line[1:])
            continue
        found = match(line)
        if found is None:
            if current is not None and field in ("message", "statement") and _continues(line):
                parts.append(line)  # a statement's continuation that lost its tab
            else:
                yield ReadProblem(Place(path, number), "not a PostgreSQL log line for this log_line_prefix")
            continue
        (
            severity,
            text,
            stamp,
            epoch,
            pid,
            session,
            user,
            database,
            application,
            client,
            xid,
            vxid,
            queryid,
        ) = pick(found.groups())
        if current is not None:
            if severity in _SECONDARY:
                if has_pid and pid != (current.pid or ""):
                    yield ReadProblem(
                        Place(path, number), f"{severity} of another process than the message before it"
                    )
                    continue
                if parts:
                    _close(current, field, parts)
                    parts = []
                field = _FIELD[severity]
                if field:
                    previous = getattr(current, field)
                    setattr(current, field, text if previous is None else f"{previous}\n{text}")
                continue
            if parts:
                _close(current, field, parts)
                parts = []
            feed(current, out)
            if out:
                yield from out
                out.clear()
        field = "message"
        current = Record(
            path,
            number,
            severity,
            text,
            stamp or epoch,
            pid or None,
            session or None,
            user,
            database,
            application,
            client,
            xid if xid and xid != "0" else vxid,
            queryid,
        )
    if current is not None:
        _close(current, field, parts)
        feed(current, out)
    interpreter.finish(out)
    yield from out


_GROUPS = ("severity", "message", *FIELDS)
_FIELD = {
    "DETAIL": "detail",
    "HINT": "hint",
    "CONTEXT": "context",
    "STATEMENT": "statement",
    "QUERY": "",
    "LOCATION": "",
}


def _close(record: Record, field: str, parts: list[str]) -> None:
    if parts and field:
        setattr(record, field, "\n".join([getattr(record, field) or "", *parts]))


def _continues(line: str) -> bool:
    """Statement text, not binary garbage (undecodable bytes, NUL) nor a header cut short."""
    if "\ufffd" in line or "\x00" in line:
        return False
    return not (line[:4].isdigit() and line[4:5] == "-")
