"""What PostgreSQL log messages mean, whatever the log format (stderr, csvlog, jsonlog).

A reader turns its lines into :class:`Record` values (one message with its DETAIL, HINT, CONTEXT
and STATEMENT) and feeds them to :class:`Interpreter`, which yields query and log events. The
interpreter keeps a little state per session because some facts span two messages of one backend:

- ``log_statement`` + ``log_duration``: ``statement: S`` then, later, ``duration: 1.2 ms`` alone;
  with ``log_min_duration_statement`` too, the statement is logged twice and counted once;
- auto_explain logs ``duration: … ms  plan:`` just before the statement's own duration line: the
  plan is attached to that query (or becomes the query when the statement is not logged);
- a lock wait logs ``still waiting … after 1000.1 ms`` then ``acquired … after 2400.5 ms``: one
  wait, with the longer figure.

Message texts are matched with ``startswith``: the server writes them in English unless
``lc_messages`` says otherwise (recommended: 'C', as for pgBadger).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from dbexpert.model.query_row import QueryRow, row_event
from dbexpert.model.workload import LogEvent, LogEventKind, Place, QueryEvent, ReadProblem
from dbexpert.native import accelerator
from dbexpert.sources.logs._pg_time import parse_timestamp

Event = QueryEvent | LogEvent | ReadProblem
Item = QueryRow | LogEvent | ReadProblem  # what the interpreter hands out: queries as plain rows


def events(items: Iterable[Item]) -> Iterator[Event]:
    """The public events of ``items``: each query row as its :class:`QueryEvent`."""
    for item in items:
        yield row_event(item) if item.__class__ is tuple else item  # type: ignore[misc]


@dataclass(slots=True)
class Record:
    """One log message and what the server attached to it (mutable while lines are assembled)."""

    path: str
    line: int
    severity: str
    message: str
    timestamp: str | None = None
    pid: str | None = None
    session: str | None = None
    user: str | None = None
    database: str | None = None
    application: str | None = None
    client: str | None = None
    transaction: str | None = None
    queryid: str | None = None
    detail: str | None = None
    hint: str | None = None
    context: str | None = None
    statement: str | None = None

    @property
    def key(self) -> str | None:
        return self.session or self.pid

    @property
    def place(self) -> Place:
        return Place(self.path, self.line)


_ERRORS = frozenset({"ERROR", "FATAL", "PANIC"})
_AFTER_MS = re.compile(r"after (\d+(?:\.\d+)?) ms")
_TEMP_SIZE = re.compile(r"size (\d+)")
_CHECKPOINT_TOTAL = re.compile(r"total=(\d+(?:\.\d+)?) s")
_ELAPSED = re.compile(r"elapsed: (\d+(?:\.\d+)?) s")
_PARAMETER = re.compile(r"\$\d+ = (NULL|'(?:[^']|'')*'(?:\.\.\.)?)")
_PLAN_NODE = re.compile(
    r"^ *(?:->  )?[A-Z][A-Za-z ]*?(?: on \S+.*?| using \S+.*?)?  \((?:cost|actual)=", re.M
)


def parameters(detail: str | None) -> tuple[str, ...]:
    """``parameters: $1 = '7', $2 = 'o''k'`` -> ("7", "o'k"); NULL stays NULL."""
    if not detail or not detail.startswith("parameters: "):
        return ()
    values = []
    for raw in _PARAMETER.findall(detail):
        values.append(raw if raw == "NULL" else raw.strip(".")[1:-1].replace("''", "'"))
    return tuple(values)


def split_plan(body: str) -> tuple[str | None, str]:
    """auto_explain output -> (query text, plan text): text format or JSON."""
    text = body.strip("\n")
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            return None, text
        query = document.get("Query Text") if isinstance(document, dict) else None
        return (query if isinstance(query, str) else None), text
    if not text.startswith("Query Text: "):
        return None, text
    node = _PLAN_NODE.search(text)
    if node is None:
        first, _, rest = text.partition("\n")
        return first[len("Query Text: ") :], rest
    return text[len("Query Text: ") : node.start()].rstrip("\n"), text[node.start() :]


def quick_row(
    path: str,
    line: int,
    message: str,
    timestamp: str | None,
    session: str | None,
    transaction: str | None,
    names: tuple[str, str, str, str],
    queryid: str,
) -> QueryRow | tuple[()] | None:
    """The row :class:`Interpreter` makes of ``duration: N ms  statement: S`` (or ``execute …: S``)
    when nothing is attached to the message (DETAIL...) and its session holds nothing; None for any
    other message (which then goes through :meth:`Interpreter.feed`); an empty tuple for the
    duration of a parse or bind step, which gives nothing. ``names``: database, user, application,
    client, as the prefix gave them."""
    end = message.find(" ms", 10)
    if end < 0:
        return None
    rest = message[end + 3 :].lstrip(" ")
    if not rest:
        return None
    if rest[0] in "pb":
        if rest.startswith(("parse ", "bind ")) and _is_number(message[10:end]):
            return ()  # the execute line that follows carries the statement's own duration
        return None
    colon = rest.find(": ")
    if colon < 0:
        return None
    try:
        duration = float(message[10:end])
    except ValueError:
        return None
    database, user, application, client = names
    return (
        rest[colon + 2 :],
        path,
        line,
        parse_timestamp(timestamp),
        duration,
        database or None,
        user or None,
        application or None,
        client or None,
        session,
        transaction or None,
        (),
        None,
        queryid if queryid and queryid != "0" else None,
    )


def log_kind(message: str) -> tuple[LogEventKind, float | None] | None:
    """The kind of event a message of its own is, with its amount (bytes of a temporary file,
    seconds of a checkpoint or of an autovacuum run), when its words say it; None otherwise."""
    if message.startswith("temporary file: "):
        size = _TEMP_SIZE.search(message)
        return LogEventKind.TEMP_FILE, float(size.group(1)) if size else None
    if message.startswith(("checkpoint complete", "restartpoint complete")):
        total = _CHECKPOINT_TOTAL.search(message)
        return LogEventKind.CHECKPOINT, float(total.group(1)) if total else None
    if message.startswith("automatic "):
        kind = LogEventKind.AUTOANALYZE if message.startswith("automatic analyze") else LogEventKind.AUTOVACUUM
        elapsed = _ELAPSED.search(message)
        return kind, float(elapsed.group(1)) if elapsed else None
    if message.startswith(("connection ", "disconnection: ")):
        return LogEventKind.CONNECTION, None
    return None


def quick_log(
    path: str,
    line: int,
    severity: str,
    message: str,
    timestamp: str | None,
    session: str | None,
    database: str | None,
    user: str | None,
) -> LogEvent | None:
    """The event :class:`Interpreter` makes of a ``LOG`` message that is an event of its own
    (connections, checkpoints, temporary files, autovacuum, anything else but a statement, a duration
    or a lock wait) when nothing is attached to it and its session holds nothing (so the interpreter
    has nothing to flush); None for any other message. The C loop (:data:`lane`) calls it for such
    lines: connection lines alone are about one in twelve of a busy server's log."""
    if severity != "LOG" or message.startswith(_STATEFUL):
        return None
    kind, amount = log_kind(message) or (LogEventKind.OTHER, None)
    return _event(kind, path, line, severity, message, timestamp, session, database, user, amount=amount)


# What the interpreter reads with what it holds per session: never a plain event.
_STATEFUL = ("duration: ", "statement: ", "execute ", "process ")


def _event(
    kind: LogEventKind,
    path: str,
    line: int,
    severity: str,
    message: str,
    timestamp: str | None,
    session: str | None,
    database: str | None,
    user: str | None,
    sql: str | None = None,
    detail: str | None = None,
    amount: float | None = None,
) -> LogEvent:
    """The event of a message from the fields the log gave (empty names read as unknown)."""
    return LogEvent(
        kind=kind,
        message=message,
        place=Place(path, line),
        timestamp=parse_timestamp(timestamp),
        severity=severity,
        sql=sql,
        database=database or None,
        user=user or None,
        session=session,
        detail=detail,
        amount=amount,
    )


python_quick_row = quick_row  # the Python twin (tests compare both)
_rows = accelerator("dbexpert.sources.logs._rows")
if _rows is not None:  # the same function in C (optional): it runs for most messages of a log
    quick_row = _rows.quick_row
# postgres_stderr.text_items' loop in C while lines are plain query messages (None: not built)
lane: Any = None if _rows is None else _rows.lane


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class Interpreter:
    """Records in, events out (appended to ``out``: no generator per record; queries as
    :data:`QueryRow` tuples); :meth:`finish` at the end."""

    def __init__(self) -> None:
        self._statements: dict[str | None, tuple[Record, str]] = {}  # statement awaiting its duration
        self._plans: dict[str | None, tuple[Record, float, str | None, str]] = {}
        self._waits: dict[str | None, tuple[Record, float | None]] = {}

    def pending(self) -> tuple[dict[str | None, Any], ...]:
        """What is held per session (statements awaiting a duration, plans, lock waits): a reader
        may skip :meth:`feed` for a message whose session holds nothing (see :func:`quick_row`)."""
        return self._statements, self._plans, self._waits

    def feed(self, record: Record, out: list[Item]) -> None:
        message = record.message
        key = record.session or record.pid  # record.key, inlined: every message comes here
        if self._waits and key in self._waits and not message.startswith("process "):
            out.append(self._wait_event(*self._waits.pop(key)))
        if message.startswith("duration: "):
            self._duration(record, message, key, out)
        elif message.startswith(("statement: ", "execute ")):
            if key in self._statements:
                out.append(self._query(*self._statements.pop(key), None))
            sql = message[message.find(": ") + 2 :]
            self._statements[key] = (record, sql)
        elif record.severity in _ERRORS:
            kind = LogEventKind.DEADLOCK if message.startswith("deadlock detected") else LogEventKind.ERROR
            out.append(self._log(record, kind))
        elif message.startswith("process "):
            self._lock(record, message, key, out)
        elif (known := log_kind(message)) is not None:
            out.append(self._log(record, *known))
            if message.startswith("disconnection"):
                self._flush(key, out)
        elif record.severity in ("DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"):
            out.append(ReadProblem(record.place, f"{record.severity} without the message it belongs to"))
        else:
            out.append(self._log(record, LogEventKind.OTHER))

    def finish(self, out: list[Item]) -> None:
        for key in list({*self._statements, *self._plans, *self._waits}):
            self._flush(key, out)

    def _flush(self, key: str | None, out: list[Item]) -> None:
        if key in self._plans:
            record, duration, sql, plan = self._plans.pop(key)
            out.append(self._query(record, sql or "", duration, plan))
        if key in self._statements:
            out.append(self._query(*self._statements.pop(key), None))
        if key in self._waits:
            out.append(self._wait_event(*self._waits.pop(key)))

    def _duration(self, record: Record, message: str, key: str | None, out: list[Item]) -> None:
        end = message.find(" ms", 10)
        try:
            duration = float(message[10:end])
        except ValueError:
            out.append(ReadProblem(record.place, "a duration that is not a number of milliseconds"))
            return
        rest = message[end + 3 :].lstrip(" ")
        if not rest:  # log_duration: the statement came earlier from the same session
            pending = self._statements.pop(key, None)
            if pending is not None:
                out.append(self._query(pending[0], pending[1], duration))
            return
        if rest[0] in "pb":  # most are "statement: " or "execute ...: "
            if rest.startswith("plan:"):
                if key in self._plans:
                    self._flush_plan(key, out)
                planned_sql, plan_body = split_plan(rest[5:].lstrip(" "))
                self._plans[key] = (record, duration, planned_sql, plan_body)
                return
            if rest.startswith(("parse ", "bind ")):
                return  # the execute line that follows carries the statement's own duration
        colon = rest.find(": ")
        if colon < 0:
            out.append(ReadProblem(record.place, "a duration line without its statement"))
            return
        sql = rest[colon + 2 :]
        pending = self._statements.pop(key, None)
        if pending is not None and pending[1] != sql:
            out.append(self._query(pending[0], pending[1], None))
        plan: str | None = None
        if self._plans and key in self._plans:
            plan_record, plan_duration, plan_sql, plan_text = self._plans.pop(key)
            if plan_sql is not None and plan_sql.strip() == sql.strip():
                plan = plan_text
            else:
                out.append(self._query(plan_record, plan_sql or "", plan_duration, plan_text))
        out.append(self._query(record, sql, duration, plan))

    def _flush_plan(self, key: str | None, out: list[Item]) -> None:
        record, duration, sql, plan = self._plans.pop(key)
        out.append(self._query(record, sql or "", duration, plan))

    def _lock(self, record: Record, message: str, key: str | None, out: list[Item]) -> None:
        after = _AFTER_MS.search(message)
        waited = float(after.group(1)) if after else None
        if " acquired " in message and key in self._waits:
            waiting, _ = self._waits.pop(key)
            out.append(self._wait_event(waiting, waited))
        elif " still waiting " in message:
            if key in self._waits:
                out.append(self._wait_event(*self._waits.pop(key)))
            self._waits[key] = (record, waited)
        elif " waiting " in message or " acquired " in message:
            out.append(self._log(record, LogEventKind.LOCK_WAIT, waited))
        else:
            out.append(self._log(record, LogEventKind.OTHER))

    def _wait_event(self, record: Record, waited: float | None) -> LogEvent:
        return self._log(record, LogEventKind.LOCK_WAIT, waited)

    @staticmethod
    def _query(record: Record, sql: str, duration: float | None, plan: str | None = None) -> QueryRow:
        queryid = record.queryid
        return (
            sql,
            record.path,
            record.line,
            parse_timestamp(record.timestamp),
            duration,
            record.database or None,
            record.user or None,
            record.application or None,
            record.client or None,
            record.session or record.pid,
            record.transaction or None,
            parameters(record.detail) if record.detail else (),
            plan,
            queryid if queryid and queryid != "0" else None,
        )

    @staticmethod
    def _log(record: Record, kind: LogEventKind, amount: float | None = None) -> LogEvent:
        return _event(
            kind, record.path, record.line, record.severity, record.message, record.timestamp, record.key,
            record.database, record.user, record.statement, record.detail, amount,
        )  # fmt: skip
