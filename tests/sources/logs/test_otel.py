"""OpenTelemetry (OTLP JSON), Jaeger and Zipkin span exports. The documents follow the OTLP JSON
encoding (opentelemetry-proto, ``ExportTraceServiceRequest``), Jaeger's query API JSON and Zipkin's
v2 API, written by hand from their specifications: no tracer runs here."""

from __future__ import annotations

import json

from dbexpert.model import Engine
from dbexpert.model.workload import QueryEvent, ReadProblem
from dbexpert.sources.logs import ReadOptions, detect_format, read_events


def _span(span_id, statement, start_ms, ms, parent="root", key="db.statement", system="postgresql"):
    start = 1705312800_000_000_000 + start_ms * 1_000_000
    return {
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": span_id,
        "parentSpanId": parent,
        "name": "SELECT shop",
        "kind": 3,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + int(ms * 1_000_000)),
        "attributes": [
            {"key": "db.system", "value": {"stringValue": system}},
            {"key": key, "value": {"stringValue": statement}},
            {"key": "db.namespace", "value": {"stringValue": "shop"}},
            {"key": "server.port", "value": {"intValue": "5432"}},
        ],
    }


def _otlp(spans):
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]},
                "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.psycopg"}, "spans": spans}],
            }
        ]
    }


def test_otlp_pretty_printed_document(tmp_path):
    http = {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "root", "name": "GET /orders",
            "startTimeUnixNano": "1705312800000000000", "endTimeUnixNano": "1705312800100000000", "attributes": []}
    path = tmp_path / "spans.json"
    spans = [http, _span("a1", "SELECT * FROM orders WHERE id = $1", 1, 0.5),
             _span("a2", "SELECT * FROM users WHERE id = ?", 2, 1.25, key="db.query.text", system="mysql")]
    path.write_text(json.dumps(_otlp(spans), indent=2))
    assert detect_format(path) == "otel"
    events = list(read_events(path))
    assert len(events) == 2 and all(isinstance(e, QueryEvent) for e in events)
    first, second = events
    assert (first.request, first.span, first.parent_span) == ("5b8efff798038103d269b633813fc60c", "a1", "root")
    assert (first.engine, first.database, first.application) == (Engine.POSTGRES, "shop", "checkout")
    assert first.timestamp == 1705312800.001 and first.duration_ms == 0.5
    assert (second.sql, second.engine, second.duration_ms) == ("SELECT * FROM users WHERE id = ?", Engine.MYSQL, 1.25)


def test_otlp_json_lines_and_a_truncated_line(tmp_path):
    path = tmp_path / "spans.jsonl"
    lines = [json.dumps(_otlp([_span("a1", "SELECT 1", 1, 1)])), json.dumps(_otlp([_span("a2", "SELECT 2", 2, 1)]))]
    path.write_text(lines[0] + "\n" + lines[1] + "\n" + lines[1][:40] + "\n")
    events = list(read_events(path))
    assert [e.sql for e in events if isinstance(e, QueryEvent)] == ["SELECT 1", "SELECT 2"]
    problems = [e for e in events if isinstance(e, ReadProblem)]
    assert len(problems) == 1 and problems[0].place.line == 3


def test_jaeger_and_zipkin(tmp_path):
    jaeger = {"data": [{"traceID": "abc", "spans": [
        {"traceID": "abc", "spanID": "s1", "references": [{"refType": "CHILD_OF", "traceID": "abc", "spanID": "p"}],
         "startTime": 1705312800000000, "duration": 1500,
         "tags": [{"key": "db.system", "type": "string", "value": "mysql"},
                  {"key": "db.statement", "type": "string", "value": "SELECT 1"}]}]}]}
    path = tmp_path / "jaeger.json"
    path.write_text(json.dumps(jaeger))
    assert detect_format(path) == "otel"
    (event,) = read_events(path)
    assert (event.request, event.span, event.parent_span, event.engine, event.duration_ms, event.timestamp) == (
        "abc", "s1", "p", Engine.MYSQL, 1.5, 1705312800.0)
    zipkin = [{"traceId": "def", "id": "z1", "parentId": "z0", "timestamp": 1705312800000000, "duration": 2000,
               "remoteEndpoint": {"serviceName": "mysql"}, "tags": {"sql.query": "SELECT 2"}}]
    path = tmp_path / "zipkin.json"
    path.write_text(json.dumps(zipkin))
    (event,) = read_events(path, ReadOptions(format="otel"))
    assert (event.request, event.sql, event.engine, event.duration_ms) == ("def", "SELECT 2", Engine.MYSQL, 2.0)


def test_foreign_document(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"hello": "world"}\n')
    (problem,) = read_events(path, ReadOptions(format="otel"))
    assert isinstance(problem, ReadProblem)
