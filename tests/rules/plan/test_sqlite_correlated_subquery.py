from __future__ import annotations

from tests.rules.plan.helpers import findings, findings_in

RULE = "sqlite-correlated-subquery"


def test_correlated_subquery_scanning_its_table():
    [finding] = findings(RULE, "sqlite/correlated.txt")
    assert finding.location.line == 4 and finding.evidence["inner_loop"] == "SCAN o2"
    assert finding.fix is not None
    assert finding.fix.sql == "CREATE INDEX orders_customer_id_idx ON orders (customer_id);"
    assert "JOIN" in finding.fix.description


def test_automatic_index_inside_and_legacy_execute_wording():
    [finding] = findings(RULE, "sqlite/legacy.txt")
    assert finding.evidence["detail"] == "EXECUTE CORRELATED SCALAR SUBQUERY 1"
    assert finding.fix is not None
    assert finding.fix.sql == "CREATE INDEX orders_customer_id_idx ON orders (customer_id);"


def test_indexed_subquery_is_clean_unless_asked():
    text = (
        "QUERY PLAN\n|--SCAN o\n`--CORRELATED SCALAR SUBQUERY 1\n"
        "   `--SEARCH o2 USING INDEX orders_customer_id_idx (customer_id=?)\n"
    )
    assert not findings_in(RULE, text)
    [finding] = findings_in(RULE, text, options={"report_indexed": True})
    assert finding.fix is not None and finding.fix.sql is None and finding.evidence["permanent_index"]


def test_uncorrelated_subqueries_are_clean():
    assert not findings(RULE, "sqlite/list_subquery.txt")
    assert not findings(RULE, "sqlite/coroutine.txt")
