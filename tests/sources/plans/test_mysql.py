"""MySQL/MariaDB plan reader. The mariadb_* fixtures were captured from MariaDB 10.11 by
fixtures/mysql/capture_mariadb.py; the mysql8_* fixtures are hand-written after the MySQL 8.0
reference manual's EXPLAIN FORMAT=JSON, FORMAT=TREE and EXPLAIN ANALYZE examples, because no MySQL 8
server is available here."""

from __future__ import annotations

import pytest

from dbexpert.model import Engine, InputError
from dbexpert.sources.plans import parse_plan
from tests.sources.plans.fixtures import FIXTURES, fixture_text, load

MYSQL_FIXTURES = sorted(p.name for p in (FIXTURES / "mysql").iterdir() if p.suffix in {".json", ".txt"})


@pytest.mark.parametrize("name", MYSQL_FIXTURES)
def test_every_fixture_parses_as_a_mysql_plan(name: str):
    plan = load(f"mysql/{name}")
    assert plan.engine is Engine.MYSQL
    assert plan.format == ("json" if name.endswith(".json") else "tree")
    assert all(node.line for node in plan.nodes())
    assert plan.analyzed == ("analyze" in name)


def test_mariadb_analyze_table_fields():
    plan = load("mysql/mariadb_analyze_full_scan.json")
    [scan] = [n for n in plan.nodes() if n.relation]
    assert (scan.node_type, scan.attrs["access_type"], scan.line) == ("Table scan", "ALL", 11)
    assert (scan.plan_rows, scan.actual_loops, scan.actual_rows) == (19827, 1, 200)
    assert scan.rows_removed_by_filter == 19_800 and scan.rows_read == 20_000
    assert scan.filter == "orders.`status` = 'refunded'"
    assert plan.execution_time == pytest.approx(2.629857045)


def test_mariadb_operations_become_nodes():
    plan = load("mysql/mariadb_explain_group_temporary.json")
    types = [n.node_type for n in plan.nodes()]
    assert types == ["Query block", "Sort", "Temporary table", "Table scan"]
    sort = next(n for n in plan.nodes() if n.node_type == "Sort")
    assert sort.sort_key == ("orders.customer_id",) and sort.attrs["using_filesort"] is True
    join = load("mysql/mariadb_analyze_join_bnl.json")
    inner = [n for n in join.nodes() if n.relation == "o"][0]
    assert inner.join_filter == "o.customer_id = c.`id` + 0" and inner.attrs["join_type"] == "BNL"


def test_subqueries_and_materialized_tables_are_nested():
    plan = load("mysql/mariadb_explain_subquery.json")
    relations = [n.relation for n in plan.nodes() if n.relation]
    assert relations == ["c", "<subquery2>", "orders", "customers"]
    indexed = next(n for n in plan.nodes() if n.relation == "<subquery2>")
    assert indexed.index_name == "distinct_key" and indexed.node_type == "Single-row index lookup"


def test_mysql_json_estimates_and_string_numbers():
    plan = load("mysql/mysql8_json_filesort.json")
    sort, scan = [n for n in plan.nodes()][1:]
    assert sort.node_type == "Sort" and sort.attrs["using_filesort"] is True
    assert scan.plan_rows == 19830 and scan.attrs["filtered"] == 10.0 and scan.attrs["rows_produced"] == 1983
    assert scan.total_cost == 2017.25
    grouped = load("mysql/mysql8_json_group_temporary.json")  # printed with the client's "EXPLAIN: "
    assert [n.node_type for n in grouped.nodes()] == ["Query block", "Group by", "Table scan"]


def test_tree_fields_and_client_frames():
    plan = load("mysql/mysql8_tree_filesort.txt")  # the +---+ table frame
    sort, flt, scan = plan.nodes()
    assert (sort.node_type, sort.sort_key, sort.line) == ("Sort", ("orders.created_at",), 4)
    assert (flt.node_type, flt.filter, flt.plan_rows) == ("Filter", "(orders.customer_id = 7)", 1983)
    assert (scan.node_type, scan.relation, scan.attrs["access_type"]) == ("Table scan", "orders", "ALL")
    analyzed = load("mysql/mysql8_tree_analyze_join_indexed.txt")
    lookup = list(analyzed.nodes())[-1]
    assert (lookup.index_name, lookup.index_cond, lookup.attrs["access_type"]) == (
        "orders_customer_created_idx",
        "(customer_id=c.id)",
        "ref",
    )
    assert (lookup.actual_rows, lookup.actual_loops, lookup.actual_total_time) == (10, 100, 0.005)


def test_manual_wrapped_actual_lines_continue_their_node():
    text = (
        "EXPLAIN: -> Filter: (t3.i > 8)  (cost=1.75 rows=5)\n(actual time=0.019..0.021 rows=6 loops=1)\n"
        "    -> Table scan on t3  (cost=1.75 rows=15)\n(actual time=0.017..0.019 rows=15 loops=1)\n"
    )
    flt, scan = parse_plan(text, "m.txt").nodes()
    assert (flt.actual_rows, scan.actual_rows, scan.line) == (6, 15, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n  "query_block": {\n    "select_id": 1,\n    "table": {\n', "b.json:5:1: not a complete"),
        ("-> Filter: (orders.status = 'x')  (cost=2017.25 rows=1983)\n    -> Table scan on orders  (cost=2017.2", "b.json:2:"),
        ("-> Filter: (orders.status = 'x'\n", "b.json:1:"),
        ('{"query_block": []}', 'without a "query_block"'),
    ],
)
def test_truncated_or_broken_input_is_an_input_error(text: str, message: str):
    with pytest.raises(InputError, match=message):
        parse_plan(text, "b.json")


def test_foreign_text_is_an_input_error():
    with pytest.raises(InputError, match=r"b.txt:1:1: expected a MySQL plan"):
        parse_plan("hello world\n", "b.txt", engine=Engine.MYSQL)
    with pytest.raises(InputError, match=r"b.txt:2:1: no query plan|b.txt:1:1: no query plan"):
        parse_plan("\n", "b.txt", engine=Engine.MYSQL)
    assert fixture_text("mysql/mysql8_tree_filesort.txt").startswith("+---")
