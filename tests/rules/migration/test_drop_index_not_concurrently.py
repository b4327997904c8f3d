from dbexpert.model import Engine
from tests.rules.migration_helpers import lint

RULE = "drop-index-not-concurrently"


def test_plain_drop_index_fires_with_the_concurrent_fix():
    [finding] = lint("DROP INDEX orders_state_idx;", RULE)
    assert finding.fix.sql == "DROP INDEX CONCURRENTLY orders_state_idx;"
    assert finding.evidence["lock"] == "ACCESS EXCLUSIVE" and "reads" in finding.evidence["blocks"]


def test_several_indexes_get_one_statement_each_and_keep_if_exists():
    [finding] = lint("DROP INDEX IF EXISTS a_idx, app.b_idx;", RULE)
    assert (
        finding.fix.sql
        == "DROP INDEX CONCURRENTLY IF EXISTS a_idx;\nDROP INDEX CONCURRENTLY IF EXISTS app.b_idx;"
    )


def test_cascade_makes_the_fix_manual():
    [finding] = lint("DROP INDEX a_idx CASCADE;", RULE)
    assert finding.fix.applicability.value == "manual" and finding.evidence["cascade"] is True


def test_concurrent_drops_and_other_drops_are_clean():
    assert lint("DROP INDEX CONCURRENTLY orders_state_idx;", RULE) == []
    assert lint("DROP TABLE orders;", RULE) == []


def test_mysql_is_out_of_scope():
    assert lint("DROP INDEX i ON orders;", RULE, Engine.MYSQL) == []
