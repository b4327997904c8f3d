"""PostgreSQL stderr logs (``log_destination = 'stderr'``), with any ``log_line_prefix``.

The prefix is given (``--log-line-prefix``) or guessed from the first lines among the common
defaults (see ``_pg_prefix``). A message is a prefixed line and the lines that continue it: the
server starts them with a tab; lines without a recognizable prefix right after a statement are read
as its continuation too (some collectors strip the tab). DETAIL, HINT, CONTEXT and STATEMENT lines
attach to the message just before them: the server writes a message and its details in one piece.

Speed: a continuation line is decided by its first character; only header lines meet the prefix
regex, once each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from dbexpert.model.workload import Place, ReadProblem
from dbexpert.sources.logs import ReadOptions
from dbexpert.sources.logs._pg_events import Event, Interpreter, Record
from dbexpert.sources.logs._pg_prefix import FIELDS, SEVERITIES, compile_prefix, guess_prefix

_SECONDARY = frozenset({"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"})
_GUESS_LINES = 200
_HEAD_MARKERS = tuple(f" {word}:  " for word in SEVERITIES.replace("[1-5]?", "").split("|"))


def sniff(head: str) -> bool:
    lines = [line for line in head.splitlines()[:_GUESS_LINES] if line and not line[0].isspace()]
    if not lines:
        return False
    hits = sum(
        1 for line in lines if any(marker in line for marker in _HEAD_MARKERS) or line.startswith("LOG:  ")
    )
    return hits * 2 >= len(lines)


def read(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Event]:
    iterator = iter(lines)
    head = list(islice(iterator, _GUESS_LINES))
    if options.log_line_prefix is not None:
        prefix = compile_prefix(options.log_line_prefix)
    else:
        prefix = guess_prefix([line.rstrip("\r\n") for line in head])
    yield from read_lines(chain(head, iterator), path, prefix.regex)


def read_lines(
    lines: Iterable[str], path: str, regex: re.Pattern[str], first_line: int = 1
) -> Iterator[Event]:
    """The events of ``lines`` (the first being line ``first_line`` of ``path``) for a compiled prefix."""
    interpreter = Interpreter()
    feed = interpreter.feed
    out: list[Event] = []
    match = regex.match
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
        severity = found.group("severity")
        text = found.group("message")
        if severity in _SECONDARY and current is not None:
            if has_pid and found.group("pid") != (current.pid or ""):
                yield ReadProblem(
                    Place(path, number), f"{severity} of another process than the message before it"
                )
                continue
            _close(current, field, parts)
            field = _FIELD[severity]
            if field:
                previous = getattr(current, field)
                setattr(current, field, text if previous is None else f"{previous}\n{text}")
            parts = []
            continue
        if current is not None:
            _close(current, field, parts)
            feed(current, out)
            if out:
                yield from out
                out.clear()
        parts = []
        field = "message"
        stamp, epoch, pid, session, user, database, application, client, xid, vxid, queryid = found.group(
            *FIELDS
        )
        current = Record(
            Place(path, number),
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
