"""Workload parsers: .sql with weight comments, CSV and JSON of query and frequency, and logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbexpert.advisors.index.workload import fill_parameters, from_csv, from_events, from_json, from_sql
from dbexpert.model import Engine, InputError
from dbexpert.sources.logs import read_events


def test_sql_weights_apply_to_the_next_statement() -> None:
    text = "-- weight: 100\nselect 1 from t where a = 1;\nselect 2 from t;\n-- weight: 2.5\nselect 3 from t;\n"
    queries, skipped = from_sql(text, Engine.POSTGRES, "w.sql")
    assert [q.weight for q in queries] == [100.0, 1.0, 2.5]
    assert [q.line for q in queries] == [2, 3, 5]
    assert queries[0].text == "select 1 from t where a = 1"
    assert skipped == []


def test_sql_syntax_errors_are_skipped_with_their_place() -> None:
    queries, skipped = from_sql("select 1 from t;\nselec broken;\n", Engine.POSTGRES, "w.sql")
    assert len(queries) == 1
    assert skipped and skipped[0].startswith("w.sql:2:1: skipped:")


def test_csv_query_and_frequency() -> None:
    queries = from_csv('query,frequency\n"select * from t where a = 1",40\nselect 2,\n', "w.csv")
    assert [(q.text, q.weight, q.line) for q in queries] == [
        ("select * from t where a = 1", 40.0, 2),
        ("select 2", 1.0, 3),
    ]


def test_csv_without_query_column_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^w.csv:1:1: expected a CSV header"):
        from_csv("sql,calls\nselect 1,2\n", "w.csv")


def test_csv_bad_frequency() -> None:
    with pytest.raises(InputError, match=r"^w.csv:2:1: expected a number"):
        from_csv("query,frequency\nselect 1,often\n", "w.csv")


def test_json_list_and_object_forms() -> None:
    listed = from_json('[{"query": "select 1", "frequency": 3}]', "w.json")
    wrapped = from_json('{"queries": [{"query": "select 2;"}]}', "w.json")
    assert [(q.text, q.weight, q.where) for q in listed] == [("select 1", 3.0, "w.json#1")]
    assert [(q.text, q.weight) for q in wrapped] == [("select 2", 1.0)]


@pytest.mark.parametrize("text", ['{"query": ', '[{"sql": "select 1"}]', '"select 1"'])
def test_bad_json_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match=r"^w.json:\d+:\d+: "):
        from_json(text, "w.json")


# -- logs: any file `workload analyze` reads ---------------------------------------------------------

STDERR_LOG = Path(__file__).parents[1] / "cli" / "data" / "workload" / "postgres-stderr.log"
# Lines as PostgreSQL 15 writes them for the extended protocol (log_min_duration_statement = 0).
EXTENDED = (
    "2026-11-24 12:56:57.727 UTC [334] postgres@shop LOG:  duration: 0.042 ms  execute <unnamed>: "
    "select * from orders where customer_id = $1 and status = $2 and note = '$1'\n"
    "2026-11-24 12:56:57.727 UTC [334] postgres@shop DETAIL:  parameters: $1 = '7', $2 = 'o''k'\n"
    "2026-11-24 12:56:57.728 UTC [334] postgres@shop LOG:  duration: 0.035 ms  execute <unnamed>: "
    "select * from orders where customer_id = $1 and status = $2 and note = '$1'\n"
    "2026-11-24 12:56:57.728 UTC [334] postgres@shop DETAIL:  parameters: $1 = '8', $2 = 'done'\n"
)


def test_log_shapes_become_queries_weighted_by_calls() -> None:
    queries, skipped = from_events(read_events(STDERR_LOG), limit=50)
    by_text = {q.text.split()[0].lower() + " " + " ".join(q.text.split()[1:]): q for q in queries}
    orders = next(q for q in queries if "customer_id = 1" in q.text)
    assert orders.weight == 6.0  # six calls of one shape, the first call is the example costed
    assert orders.where == f"{STDERR_LOG}:1 (6 calls)"
    assert any("status = 'paid'" in q.text and q.weight == 1.0 for q in queries)
    assert all(not q.text.endswith(";") for q in queries)
    assert len(by_text) == len(queries)
    # `alter system ...` is not a query: counted once, not advised
    assert not any(q.text.startswith("alter") for q in queries)
    assert skipped == ["skipped: 1 logged statement shapes that are not queries (DDL, DML, ...)"]


def test_log_beyond_the_limit_is_reported() -> None:
    queries, skipped = from_events(read_events(STDERR_LOG), limit=1)
    assert len(queries) == 1 and "customer_id" in queries[0].text  # the most total time
    assert "skipped: 4 query shapes beyond the top 1 by total time" in skipped


def test_logged_bind_parameters_are_written_in_as_literals(tmp_path: Path) -> None:
    log = tmp_path / "extended.log"
    log.write_text(EXTENDED, encoding="utf-8")
    [query], _ = from_events(read_events(log), limit=50)
    assert query.weight == 2.0
    assert query.text == "select * from orders where customer_id = '7' and status = 'o''k' and note = '$1'"


def test_fill_parameters_keeps_unknown_numbers_and_nulls() -> None:
    assert fill_parameters("a = $1 and b = $2 and c = $3", ("NULL", "x")) == "a = NULL and b = 'x' and c = $3"
    assert fill_parameters("a = $10", tuple(str(i) for i in range(1, 11))) == "a = '10'"
