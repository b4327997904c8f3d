"""SQLite EXPLAIN QUERY PLAN in the shapes people paste, read into one Plan; bad input is a clean error.

The fixtures under fixtures/sqlite/ were captured with SQLite 3.40.1 through Python's sqlite3 module
(fixtures/sqlite/README.md lists the schema and each query); legacy.txt is hand-written from the
pre-3.24 documentation because no SQLite that old exists here.
"""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.model import Engine, InputError
from dbexpert.model.plan import Plan
from dbexpert.sources.plans import parse_plan, sniff_engine
from dbexpert.sources.plans.sqlite import parse_sqlite_plan
from tests.sources.plans.fixtures import FIXTURES, fixture_text, load

SQLITE = sorted(p.name for p in (FIXTURES / "sqlite").glob("*.txt"))


def _shape(plan: Plan) -> list[tuple[object, ...]]:
    return [(n.node_type, n.relation, n.index_name, n.index_cond) for n in plan.nodes()]


@pytest.mark.parametrize("name", SQLITE)
def test_every_fixture_is_recognised_and_parses(name: str):
    text = fixture_text(f"sqlite/{name}")
    assert sniff_engine(text) is Engine.SQLITE
    plan = parse_plan(text, name)
    assert plan.engine is Engine.SQLITE and plan.format == "eqp" and plan.root.node_type == "QUERY PLAN"
    assert plan.root.children and all(n.line for n in plan.nodes())
    assert not plan.analyzed


def test_shell_tree_fields_and_lines():
    plan = load("sqlite/search_then_sort.txt")
    assert plan.attrs["query"] == "SELECT * FROM orders WHERE status = 'paid' ORDER BY created_at"
    search, temp = plan.root.children
    assert (search.node_type, search.relation, search.index_name, search.index_cond) == (
        "SEARCH",
        "orders",
        "orders_status",
        "status=?",
    )
    assert search.line == 3 and temp.line == 4
    assert temp.node_type == "USE TEMP B-TREE" and temp.attrs["purpose"] == "ORDER BY"
    assert search.attrs["detail"] == "SEARCH orders USING INDEX orders_status (status=?)"


def test_index_kinds():
    covering = load("sqlite/covering_scan.txt").root.children[0]
    assert covering.index_name == "orders_status" and covering.attrs["covering"]
    rowid = load("sqlite/rowid.txt").root.children[0]
    assert rowid.index_name == "INTEGER PRIMARY KEY" and rowid.index_cond == "rowid=?"
    automatic = load("sqlite/automatic_index.txt").root.children[1]
    assert automatic.index_name == "AUTOMATIC COVERING INDEX" and automatic.attrs["automatic"]
    assert automatic.index_cond == "customer_id=?" and not automatic.attrs["partial"]


def test_nesting_of_subqueries_and_coroutines():
    correlated = load("sqlite/correlated.txt").root.children[1]
    assert correlated.node_type == "CORRELATED SCALAR SUBQUERY" and correlated.attrs["subquery"] == 1
    assert [c.relation for c in correlated.children] == ["o2"]
    coroutine = load("sqlite/coroutine.txt").root.children[0]
    assert coroutine.node_type == "CO-ROUTINE" and coroutine.relation == "t"
    assert [c.node_type for c in coroutine.children] == ["SCAN", "USE TEMP B-TREE"]


@pytest.mark.parametrize("rows", ["sqlite/rows_pipe.txt", "sqlite/rows_columns.txt"])
def test_rows_and_columns_give_the_shell_tree(rows: str):
    assert _shape(load(rows)) == _shape(load("sqlite/coroutine.txt"))


def test_python_tuples_give_the_shell_tree():
    assert _shape(load("sqlite/rows_python.txt")) == _shape(load("sqlite/correlated_search.txt"))


def test_rows_straight_from_the_sqlite3_module():
    db = sqlite3.connect(":memory:")
    db.executescript("CREATE TABLE t (a INTEGER, b TEXT); CREATE INDEX t_a ON t (a);")
    rows = db.execute("EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 1 ORDER BY b").fetchall()
    text = "\n".join("|".join(str(v) for v in row) for row in rows)
    plan = parse_plan(text)
    assert [n.node_type for n in plan.root.children] == ["SEARCH", "USE TEMP B-TREE"]
    assert plan.root.children[0].index_name == "t_a" and plan.root.children[0].index_cond == "a=?"


def test_pre_3_24_wording():
    plan = load("sqlite/legacy.txt")
    assert plan.attrs["legacy"]
    scan, subquery, temp = plan.root.children
    assert (scan.node_type, scan.relation, scan.alias) == ("SCAN", "customers", "c")
    assert subquery.node_type == "CORRELATED SCALAR SUBQUERY" and subquery.line == 3
    [search] = subquery.children
    assert (search.relation, search.alias, search.index_name) == ("orders", "o", "AUTOMATIC COVERING INDEX")
    assert temp.attrs["purpose"] == "ORDER BY"


def test_multi_line_query_and_other_statements_of_the_session():
    text = (
        "sqlite> CREATE INDEX t_a ON t (a);\n"
        "sqlite> EXPLAIN QUERY PLAN SELECT *\n"
        "   ...> FROM t WHERE a > 1;\n"
        "QUERY PLAN\n"
        "`--SEARCH t USING INDEX t_a (a>?)\n"
    )
    plan = parse_plan(text)
    assert plan.attrs["query"] == "SELECT * FROM t WHERE a > 1"
    assert plan.root.line == 4 and plan.root.children[0].line == 5


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "<stdin>:1:1"),
        ("QUERY PLAN\n", "<stdin>:1:1"),
        ("QUERY PLAN\n`--SEARCH t USING INDEX t_a (a=? AND b>", "<stdin>:2:29"),
        ("QUERY PLAN\n|--SCAN t\n|  |  `--SCAN u\n", "<stdin>:3:7"),
        ("QUERY PLAN\n|--SCAN t\nhello world\n", "<stdin>:3:1"),
        ("2|0|0|SCAN t\n`--SCAN u\n", "<stdin>:2:1"),
        ("QUERY PLAN\n`--scan t\n", "<stdin>:2:4"),
    ],
)
def test_broken_input_is_an_input_error_with_a_position(text: str, where: str):
    with pytest.raises(InputError) as error:
        parse_sqlite_plan(text)
    assert str(error.value).startswith(where + ":"), str(error.value)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SQLITE), st.integers(0, 400), st.text(max_size=5))
def test_any_cut_or_edit_parses_or_fails_cleanly(name: str, cut: int, junk: str):
    text = fixture_text(f"sqlite/{name}")
    try:
        parse_sqlite_plan(text[:cut] + junk + text[cut + len(junk) :])
    except InputError:
        pass
