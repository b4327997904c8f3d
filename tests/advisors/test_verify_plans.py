"""Reading executed MySQL/MariaDB plans for ``index advise --verify``: the execution time and the
indexes used, without a server.

MariaDB's ANALYZE FORMAT=JSON is also exercised live (tests/integration/mysql/test_index_verify.py).
MySQL 8 has no server here: its EXPLAIN ANALYZE (TREE) output below is captured text.
"""

from __future__ import annotations

import pytest

from dbexpert.advisors.index.verify import execution_ms, plan_indexes
from dbexpert.engines.mysql.verify import index_target
from dbexpert.sources.plans.mysql import parse_mysql_plan

MYSQL8_TREE = """\
-> Limit: 10 row(s)  (cost=2.35 rows=10) (actual time=0.061..0.065 rows=10 loops=1)
    -> Sort: orders.created_at DESC, limit input to 10 row(s) per chunk  (cost=2.35 rows=5) (actual time=0.060..0.062 rows=10 loops=1)
        -> Index lookup on orders using orders_customer_id_idx (customer_id=42)  (cost=1.10 rows=12) (actual time=0.031..0.045 rows=12 loops=1)
"""
MYSQL8_MERGE = """\
-> Filter: ((t.a = 5) or (t.b = 7))  (cost=90.3 rows=201) (actual time=0.110..0.912 rows=201 loops=1)
    -> Deduplicate rows sorted by row ID  (cost=90.3 rows=201) (actual time=0.105..0.850 rows=201 loops=1)
        -> Index range scan on t using ka over (a = 5)  (cost=10.4 rows=101) (actual time=0.021..0.050 rows=101 loops=1)
        -> Index range scan on t using kb over (b = 7)  (cost=10.3 rows=100) (actual time=0.019..0.048 rows=100 loops=1)
"""
MARIADB_MERGE = """{
  "query_optimization": {"r_total_time_ms": 0.105770573},
  "query_block": {
    "select_id": 1, "r_loops": 1, "r_total_time_ms": 0.43718838,
    "nested_loop": [{"table": {
      "table_name": "t", "access_type": "index_merge", "possible_keys": ["ka", "kb"], "key_length": "5,5",
      "index_merge": {"union": [{"range": {"key": "ka", "used_key_parts": ["a"]}},
                                {"range": {"key": "kb", "used_key_parts": ["b"]}}]},
      "r_loops": 1, "rows": 201, "r_rows": 201, "r_table_time_ms": 0.35661801, "filtered": 100, "r_filtered": 100,
      "attached_condition": "t.a = 5 or t.b = 7"}}]
  }
}"""
MYSQL_JSON_UNION = """{"query_block": {"select_id": 1, "cost_info": {"query_cost": "90.30"},
  "table": {"table_name": "t", "access_type": "index_merge", "key": "union(ka,kb)", "rows_examined_per_scan": 201}}}"""


def test_mysql8_explain_analyze_time_is_the_root_iterators_last_row() -> None:
    plan = parse_mysql_plan(MYSQL8_TREE)
    assert execution_ms(plan, wall_ms=9.0) == pytest.approx(0.065)
    assert plan_indexes(plan) == {"orders_customer_id_idx"}


def test_index_merges_count_every_index_they_read() -> None:
    assert plan_indexes(parse_mysql_plan(MYSQL8_MERGE)) == {"ka", "kb"}
    mariadb = parse_mysql_plan(MARIADB_MERGE)
    assert plan_indexes(mariadb) == {"ka", "kb"}
    assert execution_ms(mariadb, wall_ms=9.0) == pytest.approx(0.43718838)  # query_block.r_total_time_ms
    assert plan_indexes(parse_mysql_plan(MYSQL_JSON_UNION)) == {"ka", "kb"}


def test_a_plan_without_times_falls_back_to_the_measured_wall_time() -> None:
    assert execution_ms(parse_mysql_plan(MYSQL_JSON_UNION), wall_ms=9.0) == 9.0


@pytest.mark.parametrize(
    ("statement", "table", "name"),
    [
        ("CREATE INDEX orders_customer_id_idx ON orders (customer_id)", "orders", "orders_customer_id_idx"),
        ("CREATE INDEX `odd name` ON `my table` (`a b`)", "`my table`", "`odd name`"),
        ("create unique index i ON shop.orders ((lower(email)))", "shop.orders", "i"),
    ],
)
def test_built_indexes_are_dropped_by_the_name_and_table_of_their_create(statement: str, table: str, name: str) -> None:
    assert index_target(statement) == (table, name)
    assert index_target("CREATE TABLE t (a int)") is None
