from __future__ import annotations

import pytest

from tests.rules.plan.helpers import findings

RULE = "mysql-filesort"
SQL = (
    "CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at) "
    "ALGORITHM=INPLACE LOCK=NONE;"
)


@pytest.mark.parametrize(
    "fixture",
    ["mysql/mariadb_analyze_filesort.json", "mysql/mariadb_explain_filesort.json", "mysql/mysql8_tree_filesort.txt"],
)
def test_sort_after_a_scan_wants_equality_then_order_columns(fixture: str):
    [finding] = findings(RULE, fixture)
    assert finding.evidence["rows_examined"] >= 19_827
    assert finding.fix is not None and finding.fix.sql == SQL


def test_mysql_json_without_sort_keys_gives_advice_only():
    [finding] = findings(RULE, "mysql/mysql8_json_filesort.json")
    assert finding.fix is not None and finding.fix.sql is None and finding.location.line == 7


def test_indexed_order_group_sorts_and_small_sorts_are_clean():
    assert not findings(RULE, "mysql/mariadb_analyze_filesort_indexed.json")
    assert not findings(RULE, "mysql/mariadb_analyze_group_temporary.json")  # the GROUP BY's sort
    assert not findings(RULE, "mysql/mysql8_tree_filesort.txt", min_rows=100_000)
