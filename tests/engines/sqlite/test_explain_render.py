"""EXPLAIN QUERY PLAN rows rendered as the sqlite3 shell prints them."""

from __future__ import annotations

from dbexpert.engines.sqlite.explain import render_tree
from dbexpert.sources.plans import parse_plan

# Rows as SQLite 3.40 returns them for a join with an IN subquery and an ORDER BY.
ROWS = [
    (4, 0, 0, "SCAN t"),
    (9, 0, 0, "LIST SUBQUERY 1"),
    (11, 9, 0, "SCAN u"),
    (34, 0, 0, "SEARCH u USING AUTOMATIC COVERING INDEX (a=?)"),
    (48, 0, 0, "USE TEMP B-TREE FOR ORDER BY"),
]


def test_shell_tree():
    assert render_tree(ROWS) == (
        "QUERY PLAN\n"
        "|--SCAN t\n"
        "|--LIST SUBQUERY 1\n"
        "|  `--SCAN u\n"
        "|--SEARCH u USING AUTOMATIC COVERING INDEX (a=?)\n"
        "`--USE TEMP B-TREE FOR ORDER BY\n"
    )


def test_the_plan_reader_reads_it_back_with_the_query():
    text = render_tree(ROWS, "SELECT *\n  FROM t ORDER BY n")
    assert text.startswith("sqlite> EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY n;\nQUERY PLAN\n")
    plan = parse_plan(text, "<sql>")
    details = [node.node_type for node in plan.nodes()]
    assert len(details) == 6  # the synthetic root and the five rows
    assert plan.attrs["query"] == "SELECT * FROM t ORDER BY n"
