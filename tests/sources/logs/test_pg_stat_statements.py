"""pg_stat_statements: CSV and JSON exports (real PostgreSQL 15 captures, a PostgreSQL 12 export
hand-written from the documentation: see data/pg_stat_statements/README.md), snapshot deltas, bad
input, and the live reader's message when the extension is missing (on the real local server)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import psycopg
import pytest

from dbexpert.engines import connect
from dbexpert.engines.postgres.statements import StatementsUnavailable, read_statements
from dbexpert.model import InputError
from dbexpert.model.workload import QueryEvent, ReadProblem
from dbexpert.sources.logs import ReadOptions, open_text, read_events
from dbexpert.sources.logs.pg_stat_statements import (
    StatementRow,
    read_rows,
    rows_from_mappings,
    snapshot_delta,
    sniff,
)

DATA = Path(__file__).parent / "data" / "pg_stat_statements"
FORMAT = ReadOptions(format="pg-stat-statements")


def rows(path: Path) -> list[StatementRow]:
    with open_text(path) as text:
        found = list(read_rows(text, str(path)))
    assert not [r for r in found if isinstance(r, ReadProblem)]
    return [r for r in found if isinstance(r, StatementRow)]


def test_pg15_csv_export_reads_every_row_by_column_name() -> None:
    found = rows(DATA / "pgss_pg15_a.csv")
    assert len(found) == 5
    first = found[0]
    assert first.query == "select * from orders where customer_id = $1"
    assert first.calls == 40 and first.rows == 400
    assert first.total_ms == pytest.approx(23.524906)
    assert first.min_ms == pytest.approx(0.556203) and first.max_ms == pytest.approx(0.719255)
    assert first.queryid == "3515761351376904949" and first.toplevel is True
    assert first.database == "dbid=16384" and first.user == "userid=10"
    assert [r.place.line for r in found] == [2, 3, 4, 5, 6]


def test_json_array_export_matches_the_csv_one() -> None:
    csv_rows = {r.queryid: r for r in rows(DATA / "pgss_pg15_a.csv")}
    json_rows = rows(DATA / "pgss_pg15_a.json")
    for row in json_rows:
        if row.queryid in csv_rows:  # the JSON was written after the CSV: it also has the \copy
            other = csv_rows[row.queryid]
            assert (row.query, row.calls, row.total_ms, row.rows) == (
                other.query,
                other.calls,
                other.total_ms,
                other.rows,
            )
    assert set(csv_rows) <= {r.queryid for r in json_rows}
    assert [r.place.line for r in json_rows] == list(range(1, len(json_rows) + 1))  # one row a line


def test_names_joined_in_and_multi_line_statements() -> None:
    found = rows(DATA / "pgss_pg15_c.csv")
    multi = next(r for r in found if r.query.startswith("select o.id"))
    assert multi.query.count("\n") == 5 and multi.place.line == 4
    assert multi.database == "shop" and multi.user == "postgres" and multi.dbid == "16384"


def test_pg12_column_names() -> None:
    (select, update) = rows(DATA / "pgss_pg12_handbuilt.csv")
    assert select.total_ms == 3600.5 and select.min_ms == 0.9 and select.max_ms == 41.2
    assert select.calls == 1200 and select.toplevel is True and select.plan_ms is None
    assert update.query == "UPDATE orders SET status = $1 WHERE id = $2"


def test_events_hold_all_calls_of_a_row() -> None:
    events = list(read_events(DATA / "pgss_pg12_handbuilt.csv", FORMAT))
    assert all(isinstance(e, QueryEvent) for e in events)
    event = events[0]
    assert isinstance(event, QueryEvent)
    assert (event.calls, event.duration_ms, event.min_ms, event.max_ms, event.rows) == (
        1200,
        3600.5,
        0.9,
        41.2,
        12000,
    )
    assert event.queryid == "-4203742231479612862"


def test_gzip_and_json_lines(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps(row) for row in json.loads((DATA / "pgss_pg15_a.json").read_text()))
    path = tmp_path / "statements.jsonl.gz"
    path.write_bytes(gzip.compress(("\n" + lines + "\n").encode()))
    found = rows(path)
    assert len(found) == 7 and found[0].place.line == 2


def test_sniff_tells_exports_from_other_files() -> None:
    for name in ("pgss_pg15_a.csv", "pgss_pg15_a.json", "pgss_pg12_handbuilt.csv", "pgss_pg15_c.csv"):
        assert sniff((DATA / name).read_text()[:65536]), name
    assert not sniff("2024-01-01 00:00:00 UTC [1] LOG:  duration: 1.0 ms  statement: select 1\n")
    assert not sniff('{"traceId": "ab", "name": "SELECT", "attributes": {"db.statement": "select 1"}}\n')
    assert not sniff("query,calls\nselect 1,1\n")


def test_delta_between_two_snapshots() -> None:
    delta = snapshot_delta(rows(DATA / "pgss_pg15_a.csv"), rows(DATA / "pgss_pg15_b.csv"))
    assert delta.reset == 0
    by_query = {r.query: r for r in delta.rows}
    orders = by_query["select * from orders where customer_id = $1"]
    assert orders.calls == 30 and orders.rows == 300
    assert orders.total_ms == pytest.approx(41.509117 - 23.524906)
    assert orders.min_ms is None and orders.max_ms is None  # lifetime extremes do not subtract
    assert "select email from customers where id = $1" not in by_query  # did not run in between
    assert delta.new == 3  # the json_agg and the two \copy statements ran after the first export


def test_a_reset_in_between_is_detected_and_counted_from_zero() -> None:
    # b was taken before pg_stat_statements_reset(), c after; c has names joined in, matched by OID.
    delta = snapshot_delta(rows(DATA / "pgss_pg15_b.csv"), rows(DATA / "pgss_pg15_c.csv"))
    orders = next(r for r in delta.rows if r.query == "select * from orders where customer_id = $1")
    assert delta.reset == 1 and orders.calls == 3 and orders.total_ms == pytest.approx(1.921226)


def test_stats_since_tells_a_reset_even_when_counters_grew() -> None:
    def row(calls: int, since: str) -> StatementRow:
        mapping = {
            "queryid": "1",
            "query": "select 1",
            "calls": calls,
            "total_exec_time": calls * 2.0,
            "dbid": 5,
            "userid": 10,
            "stats_since": since,
        }  # PostgreSQL 17 columns
        (only,) = rows_from_mappings([mapping], "live")
        assert isinstance(only, StatementRow)
        return only

    delta = snapshot_delta([row(10, "2024-05-01 10:00:00+00")], [row(12, "2024-05-02 08:00:00+00")])
    assert delta.reset == 1 and delta.rows[0].calls == 12


def test_bad_input_becomes_problems_not_crashes(tmp_path: Path) -> None:
    text = (DATA / "pgss_pg15_a.csv").read_text()
    head, second, *rest = text.splitlines(keepends=True)
    broken = tmp_path / "broken.csv"
    broken.write_text(
        head + second + "10,16384,t,99,select 1,not-a-number\n" + "\x00\x01garbage\n" + rest[0][:40]
    )
    found = list(read_events(broken, FORMAT))
    problems = [e for e in found if isinstance(e, ReadProblem)]
    assert len([e for e in found if isinstance(e, QueryEvent)]) == 1
    assert [p.place.line for p in problems] == [3, 4, 5]
    truncated = tmp_path / "truncated.json"
    truncated.write_text((DATA / "pgss_pg15_a.json").read_text()[:900])
    found = list(read_events(truncated, FORMAT))
    assert isinstance(found[-1], ReadProblem) and all(isinstance(e, QueryEvent) for e in found[:-1])


def test_a_file_that_is_not_an_export_is_refused_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,value\nwork_mem,4MB\n")
    with pytest.raises(InputError, match=r"other.csv:1:1: expected a pg_stat_statements export"):
        list(read_events(path, FORMAT))


def test_live_reader_says_when_the_extension_is_not_installed(pg_url: str) -> None:
    with connect(pg_url) as session, pytest.raises(StatementsUnavailable) as error:
        read_statements(session)  # type: ignore[arg-type]
    message = str(error.value)
    assert "pg_stat_statements is not installed" in message and "shared_preload_libraries" in message
    assert "CREATE EXTENSION pg_stat_statements" in message and "\n" not in message


def test_live_reader_says_when_the_library_is_not_preloaded(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as admin:
        preloaded = admin.execute("SHOW shared_preload_libraries").fetchone()
        if preloaded and "pg_stat_statements" in str(preloaded[0]):
            pytest.skip("this server preloads pg_stat_statements: the message cannot be provoked")
        admin.execute("CREATE EXTENSION pg_stat_statements")
    with (
        connect(pg_url) as session,
        pytest.raises(StatementsUnavailable, match="did not load it: add pg_stat"),
    ):
        read_statements(session)  # type: ignore[arg-type]
