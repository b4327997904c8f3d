from __future__ import annotations

import pytest

from tests.rules.plan.helpers import findings

RULE = "mysql-temporary-table"


@pytest.mark.parametrize(
    "fixture", ["mysql/mariadb_analyze_group_temporary.json", "mysql/mariadb_explain_group_temporary.json"]
)
def test_mariadb_group_by_wants_an_index_on_the_group_column(fixture: str):
    [finding] = findings(RULE, fixture)
    assert finding.evidence["group_key"] == ["customer_id"]
    assert finding.fix is not None
    assert finding.fix.sql == "CREATE INDEX orders_customer_id_idx ON orders (customer_id) ALGORITHM=INPLACE LOCK=NONE;"


@pytest.mark.parametrize(
    "fixture",
    [
        "mysql/mysql8_json_group_temporary.json",
        "mysql/mysql8_tree_analyze_group_temporary.txt",
        "mysql/mariadb_analyze_distinct_temporary.json",
    ],
)
def test_without_group_columns_the_advice_has_no_sql(fixture: str):
    [finding] = findings(RULE, fixture)
    assert finding.evidence["rows_examined"] >= 19_830 and finding.fix is not None and finding.fix.sql is None


def test_indexed_grouping_and_derived_tables_are_clean():
    assert not findings(RULE, "mysql/mariadb_analyze_group_indexed.json")
    assert not findings(RULE, "mysql/mariadb_analyze_subquery.json")
    assert not findings(RULE, "mysql/mariadb_analyze_group_temporary.json", min_rows=50_000)
