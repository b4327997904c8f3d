"""PostgreSQL stderr logs (``log_destination = 'stderr'``), with any ``log_line_prefix``.

The prefix is given (``--log-line-prefix``) or guessed from the first lines among the common
defaults (see ``_pg_prefix``). A message is a prefixed line and the lines that continue it: the
server starts them with a tab; lines without a recognizable prefix right after a statement are read
as its continuation too (some collectors strip the tab). DETAIL, HINT, CONTEXT and STATEMENT lines
attach to the message just before them: the server writes a message and its details in one piece.

Speed: an open file is read in blocks of text (:func:`text_items`): one regular expression over a
block gives every message line's fields with the tab-led lines continuing it, in C, and any other
line whole; both go through the same steps as :func:`line_items`, which reads lines one by one
(for lists of lines, and the reference the tests hold the block reading to). The commonest message,
``duration: … statement: …`` with nothing attached and nothing pending in its session, becomes its
row directly (``_pg_events.quick_row``) without a :class:`Record`. :func:`read_items` hands queries
on as plain :data:`~dbexpert.model.query_row.QueryRow` tuples (what the workload analysis reads);
:func:`read` turns them into :class:`QueryEvent` values.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from operator import itemgetter

from dbexpert.model import Engine
from dbexpert.model.workload import Place, ReadProblem
from dbexpert.sources.logs import ReadOptions
from dbexpert.sources.logs._pg_events import (
    Event,
    Interpreter,
    Item,
    Record,
    events,
    lane,
    parameters,
    quick_log,
    quick_row,
)
from dbexpert.sources.logs._pg_prefix import (
    FIELDS,
    SEVERITIES,
    CompiledPrefix,
    block_splitter,
    compile_prefix,
    guess_prefix,
)

_SECONDARY = frozenset({"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"})
_GUESS_LINES = 200
_BLOCK = 1 << 16  # characters read at a time
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
    if isinstance(lines, io.TextIOBase):  # an open file: read in blocks rather than line by line
        return text_items(chain(["".join(head)], _blocks(lines)), path, prefix)
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
        picked = pick(found.groups())
        severity, text, pid = picked[0], picked[1], picked[4]
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
                field = _attach(current, severity, text)
                continue
            if parts:
                _close(current, field, parts)
                parts = []
            feed(current, out)
            if out:
                yield from out
                out.clear()
        field = "message"
        current = _record(path, number, picked)
    yield from _finish(interpreter, current, field, parts, out)


def text_items(
    chunks: Iterable[str], path: str, prefix: CompiledPrefix, first_line: int = 1
) -> Iterator[Item]:
    """As :func:`line_items` for text in chunks of any size (cut anywhere): the same items.

    One regular expression over a block of whole lines (:func:`~._pg_prefix.block_regex`) gives each
    message line with its fields and the tab-led lines continuing it, in C (or the same entries from
    the C splitter, :func:`~._pg_prefix.block_splitter`); a block holding a carriage return (which
    ends a line too) is matched line by line instead. Either way the entries have the same groups
    and go through the same steps as :func:`line_items`' lines."""
    interpreter = Interpreter()
    feed = interpreter.feed
    out: list[Item] = []
    regex = prefix.regex
    block, split = block_splitter(prefix)
    match = regex.match
    groups = block.groupindex
    picks = tuple(groups[name] - 1 for name in _GROUPS)
    pick = itemgetter(*picks)
    severity_at, continued_at, other_at = groups["severity"] - 1, groups["continued"] - 1, groups["other"] - 1
    blank = ("",) * block.groups
    has_pid = "(?P<pid>)" not in regex.pattern
    statements, plans, waits = interpreter.pending()
    # The message awaiting the lines attached to it: its fields as the regex gave them (``waiting``,
    # from line ``waiting_at``), or as a Record once a DETAIL, HINT... is attached (``current``).
    waiting: tuple[str, ...] | None = None
    waiting_at = 0
    current: Record | None = None
    field = "message"
    parts: list[str] = []
    number = first_line - 1
    # The loop below in C while lines are plain query messages (optional: see _pg_events.lane).
    context = (path, picks, severity_at, continued_at, _SECONDARY, statements, plans, waits, parameters, quick_log)
    rows: list[Item] = []
    for piece in _whole_lines(chunks):
        if "\r" in piece:
            entries = _line_entries(piece, match, blank, other_at)
        else:
            entries = split(piece)
        size, at = len(entries), 0
        while at < size:
            if lane is not None and current is None and not parts:
                at, number, waiting, waiting_at = lane(entries, at, number, waiting, waiting_at, rows, context)
                if rows:
                    yield from rows
                    rows.clear()
                if at >= size:
                    break
            entry = entries[at]
            at += 1
            number += 1
            if not entry[severity_at]:  # a line that is no message line
                line = entry[other_at]
                if not line:
                    continue
                if line[0] == "\t":
                    if current is None and waiting is None:
                        yield ReadProblem(
                            Place(path, number), "a continuation line without a message before it"
                        )
                    else:
                        parts.append(line[1:])
                elif (
                    (current is not None or waiting is not None)
                    and field in ("message", "statement")
                    and _continues(line)
                ):
                    parts.append(line)  # a statement's continuation that lost its tab
                else:
                    yield ReadProblem(
                        Place(path, number), "not a PostgreSQL log line for this log_line_prefix"
                    )
                continue
            picked = pick(entry)
            severity = picked[0]
            start = number
            continued = entry[continued_at]
            if continued:
                lines = continued.split("\n\t")  # "" first: the text before the first continuation
                number += len(lines) - 1
            if severity in _SECONDARY and (current is not None or waiting is not None):
                if current is None:
                    current = _record(path, waiting_at, waiting)  # type: ignore[arg-type]
                    waiting = None
                pid = picked[4]
                if has_pid and pid != (current.pid or ""):
                    yield ReadProblem(
                        Place(path, start), f"{severity} of another process than the message before it"
                    )
                else:
                    if parts:
                        _close(current, field, parts)
                        parts = []
                    field = _attach(current, severity, picked[1])
            else:
                if waiting is not None:
                    message = waiting[1]
                    if parts:
                        message = "\n".join([message, *parts])
                        parts = []
                    row = None
                    if message.startswith("duration: "):
                        (
                            _,
                            _,
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
                            qid,
                        ) = waiting
                        key = session or pid or None
                        if key not in statements and key not in plans and key not in waits:
                            row = quick_row(
                                path,
                                waiting_at,
                                message,
                                stamp or epoch,
                                key,
                                xid if xid and xid != "0" else vxid,
                                (database, user, application, client),
                                qid,
                            )
                    if row is not None:
                        if row:
                            yield row
                    else:
                        record = _record(path, waiting_at, waiting)
                        record.message = message
                        feed(record, out)
                        if out:
                            yield from out
                            out.clear()
                elif current is not None:
                    if parts:
                        _close(current, field, parts)
                        parts = []
                    feed(current, out)
                    current = None
                    if out:
                        yield from out
                        out.clear()
                field = "message"
                waiting, waiting_at = picked, start
            if continued:
                parts.extend(lines[1:])
    if waiting is not None:
        current = _record(path, waiting_at, waiting)
    yield from _finish(interpreter, current, field, parts, out)


def _finish(
    interpreter: Interpreter, last: Record | None, field: str, parts: list[str], out: list[Item]
) -> list[Item]:
    """The end of the input: the last message with its pending continuation lines, then whatever
    the interpreter still holds (statements awaiting a duration...)."""
    if last is not None:
        _close(last, field, parts)
        interpreter.feed(last, out)
    interpreter.finish(out)
    return out


def _attach(record: Record, severity: str, text: str) -> str:
    """A DETAIL, HINT, CONTEXT... line's text added to its message's field (several join with a
    newline); the field its continuation lines go to ("" for a severity whose text is dropped)."""
    field = _FIELD[severity]
    if field:
        previous = getattr(record, field)
        setattr(record, field, text if previous is None else f"{previous}\n{text}")
    return field


def _record(path: str, line: int, picked: tuple[str, ...]) -> Record:
    """The message of the block regex's groups (in _GROUPS order) as a Record, as line_items makes it."""
    severity, text, stamp, epoch, pid, session, user, database, application, client, xid, vxid, queryid = (
        picked
    )
    return Record(
        path,
        line,
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


def _blocks(stream: io.TextIOBase) -> Iterator[str]:
    while text := stream.read(_BLOCK):
        yield text


def _whole_lines(chunks: Iterable[str]) -> Iterator[str]:
    """The text of ``chunks`` again, in pieces of whole lines, each ending with a line feed."""
    waiting: list[str] = []  # chunks of one line not ended yet
    for chunk in chunks:
        cut = chunk.rfind("\n") + 1
        if not cut:
            waiting.append(chunk)
            continue
        if waiting:
            waiting.append(chunk[:cut])
            yield "".join(waiting)
            waiting.clear()
        else:
            yield chunk if cut == len(chunk) else chunk[:cut]
        if cut < len(chunk):
            waiting.append(chunk[cut:])
    if waiting:
        yield "".join(waiting) + "\n"  # the last line, without its line feed in the file


def _line_entries(
    piece: str, match: Callable[[str], re.Match[str] | None], blank: tuple[str, ...], other_at: int
) -> list[tuple[str, ...]]:
    """The entries the block regex gives, found line by line: for text where a carriage return
    ends lines (as reading a file line by line splits them), and where they end with CR LF."""
    entries: list[tuple[str, ...]] = []
    for raw in io.StringIO(piece, newline=""):
        line = raw.rstrip("\r\n")
        found = match(line) if line and line[0] != "\t" else None
        if found is None:
            entry = list(blank)
            entry[other_at] = line
            entries.append(tuple(entry))
        else:
            entries.append((*(value or "" for value in found.groups()), "", ""))
    return entries


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
