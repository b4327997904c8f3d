"""OpenTelemetry span exports, and the flat span lists of Jaeger and Zipkin.

- OTLP JSON (the collector's ``file`` exporter writes one ``ExportTraceServiceRequest`` a line;
  tools also save one pretty-printed document): ``resourceSpans[].scopeSpans[].spans[]`` (older
  exports: ``instrumentationLibrarySpans``) with ``traceId``, ``spanId``, ``parentSpanId``,
  ``startTimeUnixNano``, ``endTimeUnixNano`` and ``attributes`` as ``{"key", "value":
  {"stringValue" | "intValue" | …}}`` pairs. The statement is ``db.query.text`` (semantic
  conventions 1.26+) or ``db.statement`` (before); ``db.system`` (``db.system.name``) tells the
  engine, ``db.name``/``db.namespace`` the database; ``service.name`` comes from the resource.
- Jaeger's JSON (``{"data": [{"traceID", "spans": [{"spanID", "references", "startTime",
  "duration", "tags": [{"key", "value"}]}]}]}``, times in microseconds).
- Zipkin v2 (``[{"traceId", "id", "parentId", "timestamp", "duration", "tags": {…}}]``,
  microseconds; the statement in ``sql.query`` or ``db.statement``).

Spans without a statement (HTTP handlers, application code) are read past: they are understood,
just not queries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dbexpert.model import Engine
from dbexpert.model.workload import Place, ReadProblem
from dbexpert.sources.logs import ReadOptions
from dbexpert.sources.logs.traces import SQL_KEYS, Event, event_from_fields

_ZIPKIN_SQL = ("sql.query", *SQL_KEYS)


def sniff(head: str) -> bool:
    text = head.lstrip("\ufeff \r\n")[:16384]
    if '"resourceSpans"' in text:
        return True
    if text.startswith("{") and '"data"' in text and '"spanID"' in text:  # Jaeger
        return True
    return text.startswith("[") and '"traceId"' in text and '"tags"' in text  # Zipkin v2


def read(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Event]:
    buffer: list[str] = []
    start = 1
    for number, line in enumerate(lines, 1):
        if not buffer:
            if not line.strip():
                continue
            start = number
            if line.lstrip().startswith("{") and line.rstrip().endswith("}"):
                try:
                    document = json.loads(line)
                except ValueError:
                    pass  # the first line of a pretty-printed document, or a truncated one
                else:
                    yield from _document(document, Place(path, number))
                    continue
        buffer.append(line)
    if buffer:
        try:
            document = json.loads("".join(buffer))
        except json.JSONDecodeError as exc:
            yield ReadProblem(Place(path, start + exc.lineno - 1), f"not a JSON span export ({exc.msg})")
            return
        yield from _document(document, Place(path, start))


def _document(document: Any, place: Place) -> Iterator[Event]:
    if isinstance(document, dict) and "resourceSpans" in document:
        yield from _otlp(document, place)
    elif isinstance(document, dict) and isinstance(document.get("data"), list):
        yield from _jaeger(document["data"], place)
    elif isinstance(document, list):
        yield from _zipkin(document, place)
    else:
        yield ReadProblem(place, "a JSON document that is not an OTLP, Jaeger or Zipkin span export")


def _otlp(document: Mapping[str, Any], place: Place) -> Iterator[Event]:
    for resource_spans in document.get("resourceSpans") or ():
        resource = _attributes((resource_spans.get("resource") or {}).get("attributes"))
        scopes = resource_spans.get("scopeSpans") or resource_spans.get("instrumentationLibrarySpans") or ()
        for scope in scopes:
            for span in scope.get("spans") or ():
                fields = _attributes(span.get("attributes"))
                start, end = _int(span.get("startTimeUnixNano")), _int(span.get("endTimeUnixNano"))
                fields.update(
                    trace_id=span.get("traceId"),
                    span_id=span.get("spanId"),
                    parent_span_id=span.get("parentSpanId"),
                    ts=start / 1e9 if start is not None else None,
                    duration_ms=(end - start) / 1e6 if start is not None and end is not None else None,
                    service=resource.get("service.name"),
                )
                event = event_from_fields(fields, place)
                if event is not None:
                    yield event


def _jaeger(traces: list[Any], place: Place) -> Iterator[Event]:
    for trace in traces:
        if not isinstance(trace, dict):
            yield ReadProblem(place, "a Jaeger trace that is not an object")
            continue
        for span in trace.get("spans") or ():
            fields: dict[str, Any] = {
                str(t.get("key")): t.get("value") for t in span.get("tags") or () if isinstance(t, dict)
            }
            parents = [r.get("spanID") for r in span.get("references") or () if r.get("refType") == "CHILD_OF"]
            fields.update(
                trace_id=span.get("traceID"),
                span_id=span.get("spanID"),
                parent_span_id=parents[0] if parents else None,
                ts=_micro(span.get("startTime"), 1e6),
                duration_ms=_micro(span.get("duration"), 1e3),
            )
            event = event_from_fields(fields, place)
            if event is not None:
                yield event


def _zipkin(spans: list[Any], place: Place) -> Iterator[Event]:
    for span in spans:
        if not isinstance(span, dict):
            yield ReadProblem(place, "a Zipkin span that is not an object")
            continue
        tags: dict[str, Any] = span["tags"] if isinstance(span.get("tags"), dict) else {}
        sql = next((tags[key] for key in _ZIPKIN_SQL if tags.get(key)), None)
        fields: dict[str, Any] = {
            **tags,
            "sql": sql,
            "trace_id": span.get("traceId"),
            "span_id": span.get("id"),
            "parent_span_id": span.get("parentId"),
            "ts": _micro(span.get("timestamp"), 1e6),
            "duration_ms": _micro(span.get("duration"), 1e3),
            "service": (span.get("localEndpoint") or {}).get("serviceName"),
        }
        event = event_from_fields(fields, place, _zipkin_engine(span))
        if event is not None:
            yield event


def _zipkin_engine(span: Mapping[str, Any]) -> Engine:
    remote = str((span.get("remoteEndpoint") or {}).get("serviceName", "")).lower()
    return Engine.MYSQL if "mysql" in remote or "maria" in remote else Engine.POSTGRES


def _attributes(pairs: object) -> dict[str, Any]:
    """OTLP ``[{"key": k, "value": {"stringValue": v}}]`` as ``{k: v}``."""
    found: dict[str, Any] = {}
    for pair in pairs if isinstance(pairs, list) else ():
        if isinstance(pair, dict) and isinstance(pair.get("key"), str):
            found[pair["key"]] = _any_value(pair.get("value"))
    return found


def _any_value(value: object) -> Any:
    if not isinstance(value, dict):
        return value
    for kind in ("stringValue", "boolValue", "doubleValue"):
        if kind in value:
            return value[kind]
    if "intValue" in value:
        return _int(value["intValue"])
    if "arrayValue" in value:
        return [_any_value(v) for v in (value["arrayValue"] or {}).get("values") or ()]
    return None


def _int(value: object) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _micro(value: object, per_unit: float) -> float | None:
    number = _int(value)
    return number / per_unit if number is not None else None

