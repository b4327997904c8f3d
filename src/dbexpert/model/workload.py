"""A workload: the statements a database ran (from logs, pg_stat_statements or application traces)
and the other events its logs tell (errors, lock waits, temporary files, checkpoints, autovacuum).

Readers in ``dbexpert.sources.logs`` stream :class:`QueryEvent` and :class:`LogEvent` values; the
workload analysis groups queries by fingerprint (``dbexpert.sql.fingerprint``) and looks for N+1
patterns within a request, transaction or session. Events are small and slotted: a 1 GiB log is
millions of them, and they are aggregated as they stream, never all kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dbexpert.model.catalog import Engine


@dataclass(frozen=True, slots=True)
class Place:
    """Where an event was read: a file (or export) and its line, for locations and error reports."""

    path: str
    line: int


@dataclass(frozen=True, slots=True)
class QueryEvent:
    """One executed statement (or, from pg_stat_statements, one shape with its totals)."""

    sql: str
    place: Place
    engine: Engine = Engine.POSTGRES
    timestamp: float | None = None  # seconds since the epoch, UTC
    duration_ms: float | None = None  # total for all its calls when ``calls`` > 1
    calls: int = 1  # > 1 for aggregated sources (pg_stat_statements)
    rows: int | None = None  # rows returned or affected (sent, for MySQL)
    rows_examined: int | None = None  # MySQL slow log
    database: str | None = None
    user: str | None = None
    application: str | None = None
    client: str | None = None  # host[:port]
    session: str | None = None  # backend pid / session id / connection id
    transaction: str | None = None  # transaction id or virtual xid, when the log has it
    request: str | None = None  # trace or request id (application traces)
    span: str | None = None  # span id (OpenTelemetry)
    parent_span: str | None = None
    parameters: tuple[str, ...] = ()  # bind parameters, as logged
    plan: str | None = None  # an auto_explain plan logged with it
    queryid: str | None = None  # the server's own query id, when given
    min_ms: float | None = None  # fastest and slowest call, from sources that aggregate (pg_stat_statements)
    max_ms: float | None = None


class LogEventKind(StrEnum):
    ERROR = "error"
    LOCK_WAIT = "lock-wait"
    DEADLOCK = "deadlock"
    TEMP_FILE = "temp-file"
    CHECKPOINT = "checkpoint"
    AUTOVACUUM = "autovacuum"
    AUTOANALYZE = "autoanalyze"
    CONNECTION = "connection"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class LogEvent:
    """Anything else a server log says that the workload report counts."""

    kind: LogEventKind
    message: str
    place: Place
    timestamp: float | None = None
    severity: str | None = None  # ERROR, FATAL, WARNING, LOG...
    sql: str | None = None  # the statement it concerns, when logged
    database: str | None = None
    user: str | None = None
    session: str | None = None
    detail: str | None = None
    amount: float | None = None  # bytes of a temp file, ms waited for a lock, seconds of a checkpoint...


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Input a reader did not understand: counted and reported, never silently dropped."""

    place: Place
    reason: str


@dataclass(frozen=True, slots=True)
class TracedQuery:
    """One statement of a request, with its shape (``dbexpert.sql.fingerprint``)."""

    event: QueryEvent
    shape_id: str
    shape: str  # the normalized text: literals as ?


@dataclass(frozen=True, slots=True)
class RequestTrace:
    """The statements of one request (trace id), transaction or session stretch, in start order:
    what the N+1 rules inspect."""

    key: str
    kind: str  # "request", "transaction" or "session"
    queries: tuple[TracedQuery, ...]
    engine: Engine = Engine.POSTGRES
