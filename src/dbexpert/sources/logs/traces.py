"""Application traces as JSON lines: one object a line for every statement the application ran.

There is no one standard, so the common field names are accepted (the first present wins):

| fact | fields |
|---|---|
| statement | ``sql``, ``query``, ``statement``, ``db.statement``, ``db.query.text`` |
| request | ``trace_id``, ``traceId``, ``trace``, ``request_id``, ``requestId``, ``correlation_id`` |
| start time | ``ts``, ``timestamp``, ``start_time``, ``startTime``, ``time``, ``@timestamp`` |
| duration | ``duration_ms``, ``duration``, ``elapsed_ms``, ``elapsed``, ``latency_ms`` (milliseconds); ``duration_us``, ``duration_ns`` |
| span | ``span_id``, ``spanId``; parent: ``parent_span_id``, ``parentSpanId``, ``parent_id`` |
| others | ``session``/``connection_id``, ``transaction``/``tx_id``, ``db``/``database``, ``user``, ``service``/``application``, ``params``/``parameters`` (a list), ``db.system``/``engine`` |

Times are ISO 8601 strings or numbers since the epoch in seconds, milliseconds, microseconds or
nanoseconds (told apart by magnitude). Fields may also sit in a nested ``attributes`` object.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dbexpert.model import Engine
from dbexpert.model.workload import LogEvent, Place, QueryEvent, ReadProblem
from dbexpert.sources.logs import ReadOptions

Event = QueryEvent | LogEvent | ReadProblem

SQL_KEYS = ("sql", "query", "statement", "db.statement", "db.query.text")
_REQUEST_KEYS = ("trace_id", "traceId", "trace", "request_id", "requestId", "correlation_id")
_TIME_KEYS = ("ts", "timestamp", "start_time", "startTime", "time", "@timestamp")
_MS_KEYS = ("duration_ms", "duration", "elapsed_ms", "elapsed", "latency_ms")
_SPAN_KEYS = ("span_id", "spanId")
_PARENT_KEYS = ("parent_span_id", "parentSpanId", "parent_id")
_SESSION_KEYS = ("session", "session_id", "connection_id", "connection")
_TRANSACTION_KEYS = ("transaction", "transaction_id", "tx_id", "txid")
_DATABASE_KEYS = ("db", "database", "db.name", "db.namespace")
_USER_KEYS = ("user", "db.user")
_APPLICATION_KEYS = ("service", "service.name", "application", "app")
_ENGINE_KEYS = ("db.system", "db.system.name", "engine", "dialect")
_ENGINES = {
    "postgresql": Engine.POSTGRES,
    "postgres": Engine.POSTGRES,
    "mysql": Engine.MYSQL,
    "mariadb": Engine.MYSQL,
    "sqlite": Engine.SQLITE,
}


def sniff(head: str) -> bool:
    first = head.lstrip("\ufeff \r\n").split("\n", 1)[0]
    if not first.startswith("{") or '"resourceSpans"' in first:
        return False
    try:
        entry = json.loads(first)
    except ValueError:
        return False
    return isinstance(entry, dict) and _first(_flat(entry), SQL_KEYS) is not None


def read(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Event]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            yield ReadProblem(Place(path, number), "not a JSON object (truncated or foreign line)")
            continue
        if not isinstance(entry, dict):
            yield ReadProblem(Place(path, number), "a JSON value that is not an object")
            continue
        event = event_from_fields(_flat(entry), Place(path, number))
        if event is None:
            yield ReadProblem(Place(path, number), f"a JSON line without a statement (none of {', '.join(SQL_KEYS)})")
            continue
        yield event


def event_from_fields(fields: Mapping[str, Any], place: Place, default_engine: Engine = Engine.POSTGRES) -> QueryEvent | None:
    """A query event from one record's fields (also used for flat span exports); None without SQL."""
    sql = _first(fields, SQL_KEYS)
    if not isinstance(sql, str) or not sql.strip():
        return None
    duration = _number(_first(fields, _MS_KEYS))
    if duration is None and (micro := _number(fields.get("duration_us"))) is not None:
        duration = micro / 1000.0
    if duration is None and (nano := _number(fields.get("duration_ns"))) is not None:
        duration = nano / 1e6
    params = _first(fields, ("params", "parameters", "db.parameters"))
    system = _first(fields, _ENGINE_KEYS)
    return QueryEvent(
        sql=sql,
        place=place,
        engine=_ENGINES.get(str(system).lower(), default_engine) if system else default_engine,
        timestamp=epoch_seconds(_first(fields, _TIME_KEYS)),
        duration_ms=duration,
        rows=_int(_first(fields, ("rows", "db.rows", "row_count"))),
        database=_text(_first(fields, _DATABASE_KEYS)),
        user=_text(_first(fields, _USER_KEYS)),
        application=_text(_first(fields, _APPLICATION_KEYS)),
        session=_text(_first(fields, _SESSION_KEYS)),
        transaction=_text(_first(fields, _TRANSACTION_KEYS)),
        request=_text(_first(fields, _REQUEST_KEYS)),
        span=_text(_first(fields, _SPAN_KEYS)),
        parent_span=_text(_first(fields, _PARENT_KEYS)),
        parameters=tuple(str(p) for p in params) if isinstance(params, list) else (),
    )


def epoch_seconds(value: object) -> float | None:
    """Seconds since the epoch from an ISO 8601 string or a number in s, ms, µs or ns."""
    number = _number(value)
    if number is not None:
        for scale in (1.0, 1e3, 1e6, 1e9):  # 1e11 s is the year 5138: anything larger is a finer unit
            if number / scale < 1e11:
                return number / scale
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        return parsed.timestamp()
    return None


def _flat(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields with those of a nested ``attributes`` object beside them."""
    attributes = entry.get("attributes")
    if isinstance(attributes, dict):
        return {**attributes, **entry}
    return dict(entry)


def _first(fields: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = fields.get(key)
        if value is not None and value != "":
            return value
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _int(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
