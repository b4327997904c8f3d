"""Workload parsers: .sql with weight comments, CSV and JSON of query and frequency."""

from __future__ import annotations

import pytest

from dbexpert.advisors.index.workload import from_csv, from_json, from_sql
from dbexpert.model import Engine, InputError


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
