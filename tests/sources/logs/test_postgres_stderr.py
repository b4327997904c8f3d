"""PostgreSQL stderr logs: every kind of line, multi-line entries, parameters, plans, bad input.

``CAPTURED`` was written by the local PostgreSQL 15.20 (Debian, log_line_prefix '%m [%p] %q%u@%d ')
for a scratch database with log_min_duration_statement = 0, log_lock_waits = on, deadlock_timeout =
200ms, log_temp_files = 0, auto_explain (text, then JSON), a deadlock between two sessions and a
psycopg client using the extended protocol. The autovacuum, connection and log_statement lines are
written by hand in the server's formats (PostgreSQL 15 source and documentation): those settings
need a server restart or a superuser session at connection time, which the test server does not get.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from dbexpert.model.workload import LogEvent, LogEventKind, QueryEvent, ReadProblem
from dbexpert.sources.logs import ReadOptions, detect_format, read_events
from dbexpert.sources.plans import parse_plan

CAPTURED = (
    "2026-11-24 12:56:53.867 UTC [32690] postgres@w2cap LOG:  duration: 0.314 ms  statement: SELECT id,\n"
    "\t       name\n"
    "\t  FROM t\n"
    "\t WHERE id = 42\n"
    "\t   AND flag = true;\n"
    "2026-11-24 12:56:53.867 UTC [32690] postgres@w2cap ERROR:  division by zero\n"
    "2026-11-24 12:56:53.867 UTC [32690] postgres@w2cap STATEMENT:  SELECT 1/0;\n"
    "2026-11-24 12:56:53.868 UTC [32690] postgres@w2cap LOG:  duration: 0.067 ms  statement: PREPARE q(int, text) AS SELECT * FROM t WHERE id = $1 AND name = $2;\n"
    "2026-11-24 12:56:53.868 UTC [32690] postgres@w2cap LOG:  duration: 0.086 ms  statement: EXECUTE q(5, 'it''s');\n"
    "2026-11-24 12:56:53.868 UTC [32690] postgres@w2cap DETAIL:  prepare: PREPARE q(int, text) AS SELECT * FROM t WHERE id = $1 AND name = $2;\n"
    "2026-11-24 12:56:53.868 UTC [32690] postgres@w2cap LOG:  duration: 0.021 ms  statement: SET work_mem = '64kB';\n"
    '2026-11-24 12:56:53.878 UTC [32690] postgres@w2cap LOG:  temporary file: path "base/pgsql_tmp/pgsql_tmp32690.0", size 344064\n'
    "2026-11-24 12:56:53.878 UTC [32690] postgres@w2cap STATEMENT:  SELECT count(*) FROM (SELECT * FROM t ORDER BY name DESC) s;\n"
    "2026-11-24 12:56:53.878 UTC [32690] postgres@w2cap LOG:  duration: 9.746 ms  statement: SELECT count(*) FROM (SELECT * FROM t ORDER BY name DESC) s;\n"
    "2026-11-24 12:56:53.879 UTC [32690] postgres@w2cap LOG:  duration: 1.572 ms  statement: LOAD 'auto_explain';\n"
    "2026-11-24 12:56:53.880 UTC [32690] postgres@w2cap LOG:  duration: 0.026 ms  statement: SET auto_explain.log_min_duration = 0;\n"
    "2026-11-24 12:56:53.880 UTC [32690] postgres@w2cap LOG:  duration: 0.669 ms  plan:\n"
    "\tQuery Text: SELECT count(*) FROM t WHERE id < 10;\n"
    "\tAggregate  (cost=290.67..290.68 rows=1 width=8)\n"
    "\t  ->  Seq Scan on t  (cost=0.00..279.31 rows=4542 width=0)\n"
    "\t        Filter: (id < 10)\n"
    "2026-11-24 12:56:53.880 UTC [32690] postgres@w2cap LOG:  duration: 0.863 ms  statement: SELECT count(*) FROM t WHERE id < 10;\n"
    "2026-11-24 12:56:53.881 UTC [32690] postgres@w2cap LOG:  duration: 0.018 ms  statement: SET auto_explain.log_format = 'json';\n"
    "2026-11-24 12:56:53.881 UTC [32690] postgres@w2cap LOG:  duration: 0.638 ms  plan:\n"
    "\t{\n"
    '\t  "Query Text": "SELECT count(*) FROM t WHERE id < 11;",\n'
    '\t  "Plan": {\n'
    '\t    "Node Type": "Aggregate",\n'
    '\t    "Strategy": "Plain",\n'
    '\t    "Partial Mode": "Simple",\n'
    '\t    "Parallel Aware": false,\n'
    '\t    "Async Capable": false,\n'
    '\t    "Startup Cost": 290.67,\n'
    '\t    "Total Cost": 290.68,\n'
    '\t    "Plan Rows": 1,\n'
    '\t    "Plan Width": 8,\n'
    '\t    "Plans": [\n'
    "\t      {\n"
    '\t        "Node Type": "Seq Scan",\n'
    '\t        "Parent Relationship": "Outer",\n'
    '\t        "Parallel Aware": false,\n'
    '\t        "Async Capable": false,\n'
    '\t        "Relation Name": "t",\n'
    '\t        "Alias": "t",\n'
    '\t        "Startup Cost": 0.00,\n'
    '\t        "Total Cost": 279.31,\n'
    '\t        "Plan Rows": 4542,\n'
    '\t        "Plan Width": 0,\n'
    '\t        "Filter": "(id < 11)"\n'
    "\t      }\n"
    "\t    ]\n"
    "\t  }\n"
    "\t}\n"
    "2026-11-24 12:56:53.881 UTC [32690] postgres@w2cap LOG:  duration: 0.719 ms  statement: SELECT count(*) FROM t WHERE id < 11;\n"
    "2026-11-24 12:56:54.411 UTC [32697] postgres@w2cap LOG:  process 32697 still waiting for ShareLock on transaction 3213 after 200.234 ms\n"
    "2026-11-24 12:56:54.411 UTC [32697] postgres@w2cap DETAIL:  Process holding the lock: 32695. Wait queue: 32697.\n"
    '2026-11-24 12:56:54.411 UTC [32697] postgres@w2cap CONTEXT:  while updating tuple (0,1) in relation "t"\n'
    "2026-11-24 12:56:54.411 UTC [32697] postgres@w2cap STATEMENT:  BEGIN; UPDATE t SET name='c' WHERE id=2; UPDATE t SET name='d' WHERE id=1; COMMIT;\n"
    "2026-11-24 12:56:55.608 UTC [32695] postgres@w2cap LOG:  process 32695 detected deadlock while waiting for ShareLock on transaction 3214 after 200.245 ms\n"
    "2026-11-24 12:56:55.608 UTC [32695] postgres@w2cap DETAIL:  Process holding the lock: 32697. Wait queue: .\n"
    '2026-11-24 12:56:55.608 UTC [32695] postgres@w2cap CONTEXT:  while updating tuple (0,2) in relation "t"\n'
    "2026-11-24 12:56:55.608 UTC [32695] postgres@w2cap STATEMENT:  BEGIN; UPDATE t SET name='a' WHERE id=1; SELECT pg_sleep(1.5); UPDATE t SET name='b' WHERE id=2; COMMIT;\n"
    "2026-11-24 12:56:55.608 UTC [32695] postgres@w2cap ERROR:  deadlock detected\n"
    "2026-11-24 12:56:55.608 UTC [32695] postgres@w2cap DETAIL:  Process 32695 waits for ShareLock on transaction 3214; blocked by process 32697.\n"
    "\tProcess 32697 waits for ShareLock on transaction 3213; blocked by process 32695.\n"
    "\tProcess 32695: BEGIN; UPDATE t SET name='a' WHERE id=1; SELECT pg_sleep(1.5); UPDATE t SET name='b' WHERE id=2; COMMIT;\n"
    "\tProcess 32697: BEGIN; UPDATE t SET name='c' WHERE id=2; UPDATE t SET name='d' WHERE id=1; COMMIT;\n"
    "2026-11-24 12:56:55.608 UTC [32695] postgres@w2cap HINT:  See server log for query details.\n"
    '2026-11-24 12:56:55.608 UTC [32695] postgres@w2cap CONTEXT:  while updating tuple (0,2) in relation "t"\n'
    "2026-11-24 12:56:55.608 UTC [32695] postgres@w2cap STATEMENT:  BEGIN; UPDATE t SET name='a' WHERE id=1; SELECT pg_sleep(1.5); UPDATE t SET name='b' WHERE id=2; COMMIT;\n"
    "2026-11-24 12:56:55.609 UTC [32697] postgres@w2cap LOG:  process 32697 acquired ShareLock on transaction 3213 after 1398.679 ms\n"
    '2026-11-24 12:56:55.609 UTC [32697] postgres@w2cap CONTEXT:  while updating tuple (0,1) in relation "t"\n'
    "2026-11-24 12:56:55.609 UTC [32697] postgres@w2cap STATEMENT:  BEGIN; UPDATE t SET name='c' WHERE id=2; UPDATE t SET name='d' WHERE id=1; COMMIT;\n"
    "2026-11-24 12:56:55.610 UTC [32697] postgres@w2cap LOG:  duration: 1400.801 ms  statement: BEGIN; UPDATE t SET name='c' WHERE id=2; UPDATE t SET name='d' WHERE id=1; COMMIT;\n"
    "2026-11-24 12:56:57.726 UTC [334] postgres@w2cap LOG:  duration: 0.060 ms  statement: BEGIN\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap LOG:  duration: 0.263 ms  parse <unnamed>: SELECT * FROM t WHERE id = $1 AND name = $2\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap LOG:  duration: 0.304 ms  bind <unnamed>: SELECT * FROM t WHERE id = $1 AND name = $2\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap DETAIL:  parameters: $1 = '7', $2 = 'o''k'\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap LOG:  duration: 0.042 ms  execute <unnamed>: SELECT * FROM t WHERE id = $1 AND name = $2\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap DETAIL:  parameters: $1 = '7', $2 = 'o''k'\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap LOG:  duration: 0.030 ms  parse _pg3_0: SELECT * FROM t WHERE id = $1\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap LOG:  duration: 0.035 ms  bind _pg3_0: SELECT * FROM t WHERE id = $1\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap DETAIL:  parameters: $1 = '8'\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap LOG:  duration: 0.010 ms  execute _pg3_0: SELECT * FROM t WHERE id = $1\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@w2cap DETAIL:  parameters: $1 = '8'\n"
    "2026-11-24 12:56:57.728 UTC [334] postgres@w2cap LOG:  duration: 0.015 ms  statement: COMMIT\n"
)

BACKGROUND = """\
2026-11-24 12:15:45.545 UTC [2196] LOG:  checkpoint starting: time
2026-11-24 12:18:51.239 UTC [2196] LOG:  checkpoint complete: wrote 1857 buffers (11.3%); 1 WAL file(s) added, 0 removed, 0 recycled; write=185.629 s, sync=0.048 s, total=185.694 s; sync files=604, longest=0.001 s, average=0.001 s; distance=8586 kB, estimate=8586 kB
2026-11-24 12:20:00.001 UTC [3001] LOG:  automatic vacuum of table "shop.public.orders": index scans: 1
\tpages: 0 removed, 110 remain, 110 scanned (100.00% of total)
\ttuples: 120 removed, 5000 remain, 0 are dead but not yet removable
\tsystem usage: CPU: user: 0.01 s, system: 0.00 s, elapsed: 0.42 s
2026-11-24 12:20:01.001 UTC [3001] LOG:  automatic analyze of table "shop.public.orders"
\tsystem usage: CPU: user: 0.01 s, system: 0.00 s, elapsed: 0.05 s
2026-11-24 12:21:00.000 UTC [3100] LOG:  connection received: host=127.0.0.1 port=51234
2026-11-24 12:21:00.002 UTC [3100] postgres@shop LOG:  connection authorized: user=postgres database=shop application_name=psql
2026-11-24 12:21:00.010 UTC [3100] postgres@shop LOG:  statement: SELECT name
\t  FROM users
\t WHERE id = 1
2026-11-24 12:21:00.011 UTC [3100] postgres@shop LOG:  duration: 0.250 ms
2026-11-24 12:21:01.000 UTC [3100] postgres@shop LOG:  statement: SELECT 2
2026-11-24 12:21:01.001 UTC [3100] postgres@shop LOG:  duration: 0.300 ms  statement: SELECT 2
2026-11-24 12:21:05.000 UTC [3100] postgres@shop LOG:  disconnection: session time: 0:00:05.000 user=postgres database=shop host=127.0.0.1 port=51234
"""


def _events(tmp_path: Path, text: str, name: str = "postgresql.log", **options: str) -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(read_events(path, ReadOptions(format="postgres-stderr", **options)))


def _queries(events: list) -> list[QueryEvent]:
    return sorted((e for e in events if isinstance(e, QueryEvent)), key=lambda e: e.place.line)


def _logs(events: list, kind: LogEventKind) -> list[LogEvent]:
    return [e for e in events if isinstance(e, LogEvent) and e.kind is kind]


def test_durations_sessions_and_multi_line_statements(tmp_path: Path):
    events = _events(tmp_path, CAPTURED)
    queries = _queries(events)
    first = queries[0]
    assert (first.sql, first.duration_ms, first.place.line) == (
        "SELECT id,\n       name\n  FROM t\n WHERE id = 42\n   AND flag = true;",
        0.314,
        1,
    )
    assert (first.user, first.database, first.session) == ("postgres", "w2cap", "32690")
    assert first.timestamp == pytest.approx(1795525013.867)
    assert not any(isinstance(e, ReadProblem) for e in events)


def test_extended_protocol_counts_the_execute_with_its_parameters(tmp_path: Path):
    queries = [q for q in _queries(_events(tmp_path, CAPTURED)) if q.session == "334"]
    assert [(q.sql, q.duration_ms, q.parameters) for q in queries] == [
        ("BEGIN", 0.06, ()),
        ("SELECT * FROM t WHERE id = $1 AND name = $2", 0.042, ("7", "o'k")),
        ("SELECT * FROM t WHERE id = $1", 0.01, ("8",)),
        ("COMMIT", 0.015, ()),
    ]


def test_auto_explain_plans_attach_to_their_query_and_parse(tmp_path: Path):
    planned = [q for q in _queries(_events(tmp_path, CAPTURED)) if q.plan]
    assert [q.sql for q in planned] == [
        "SELECT count(*) FROM t WHERE id < 10;",
        "SELECT count(*) FROM t WHERE id < 11;",
    ]
    assert planned[0].duration_ms == 0.863  # the statement's own duration, not the plan's
    assert planned[0].plan.startswith("Aggregate  (cost=290.67")
    for query in planned:
        assert parse_plan(query.plan).root.node_type == "Aggregate"


def test_errors_lock_waits_deadlocks_and_temp_files(tmp_path: Path):
    events = _events(tmp_path, CAPTURED)
    (error,) = _logs(events, LogEventKind.ERROR)
    assert (error.message, error.sql, error.severity) == ("division by zero", "SELECT 1/0;", "ERROR")
    (deadlock,) = _logs(events, LogEventKind.DEADLOCK)
    assert (
        deadlock.detail.startswith("Process 32695 waits for ShareLock")
        and "Process 32697:" in deadlock.detail
    )
    waits = sorted(_logs(events, LogEventKind.LOCK_WAIT), key=lambda e: e.place.line)
    # One event per wait: "still waiting ... after 200.234 ms" then "acquired ... after 1398.679 ms".
    assert [(w.session, w.amount) for w in waits] == [("32697", 1398.679), ("32695", 200.245)]
    assert waits[0].sql.startswith("BEGIN; UPDATE t SET name='c'")
    (temp,) = _logs(events, LogEventKind.TEMP_FILE)
    assert (
        temp.amount == 344064 and temp.sql == "SELECT count(*) FROM (SELECT * FROM t ORDER BY name DESC) s;"
    )


def test_checkpoints_autovacuum_connections_and_log_duration_pairs(tmp_path: Path):
    events = _events(tmp_path, BACKGROUND)
    assert [e.amount for e in _logs(events, LogEventKind.CHECKPOINT)] == [185.694]
    assert [e.amount for e in _logs(events, LogEventKind.AUTOVACUUM)] == [0.42]
    assert [e.amount for e in _logs(events, LogEventKind.AUTOANALYZE)] == [0.05]
    assert len(_logs(events, LogEventKind.CONNECTION)) == 3
    queries = _queries(events)
    # log_statement + log_duration: joined; logged by both settings: counted once.
    assert [(q.sql, q.duration_ms, q.place.line) for q in queries] == [
        ("SELECT name\n  FROM users\n WHERE id = 1", 0.25, 11),
        ("SELECT 2", 0.3, 16),
    ]


def test_continuation_lines_without_a_tab(tmp_path: Path):
    text = "2024-05-01 12:00:00.000 UTC [1] a@b LOG:  duration: 1.5 ms  statement: SELECT x\nFROM t\nWHERE y = 2\n"
    (query,) = _queries(_events(tmp_path, text))
    assert query.sql == "SELECT x\nFROM t\nWHERE y = 2"


def test_garbage_and_truncated_lines_are_counted_not_fatal(tmp_path: Path):
    text = (
        "garbage before anything\n"
        "2024-05-01 12:00:00.000 UTC [1] a@b LOG:  duration: 1.5 ms  statement: SELECT 1\n"
        "\x00\x01 binary \ufffd\n"
        "2024-05-01 12:00:0\n"
        "2024-05-01 12:00:00.000 UTC [1] a@b LOG:  duration: abc ms  statement: SELECT 1\n"
        "2024-05-01 12:00:00.000 UTC [2] a@b DETAIL:  orphan\n"
    )
    events = _events(tmp_path, text)
    problems = sorted(e.place.line for e in events if isinstance(e, ReadProblem))
    assert problems == [1, 3, 4, 5, 6]
    assert [q.sql for q in _queries(events)] == ["SELECT 1"]


def test_gzip_and_format_detection(tmp_path: Path):
    path = tmp_path / "postgresql.log.gz"
    path.write_bytes(gzip.compress(CAPTURED.encode()))
    assert detect_format(path) == "postgres-stderr"
    assert len(_queries(list(read_events(path)))) == len(_queries(_events(tmp_path, CAPTURED)))


def test_a_given_prefix_wins_over_guessing(tmp_path: Path):
    text = "1714564800.123 <4242> LOG:  duration: 2.0 ms  statement: SELECT 1\n"
    (query,) = _queries(_events(tmp_path, text, log_line_prefix="%n <%p> "))
    assert (query.session, query.timestamp) == ("4242", 1714564800.123)
