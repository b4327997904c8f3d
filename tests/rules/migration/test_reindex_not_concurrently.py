import pytest

from dbexpert.model import Version
from tests.rules.migration_helpers import lint

RULE = "reindex-not-concurrently"


@pytest.mark.parametrize(
    ("sql", "fixed"),
    [
        ("REINDEX INDEX orders_state_idx;", "REINDEX INDEX CONCURRENTLY orders_state_idx;"),
        ("REINDEX TABLE app.orders;", "REINDEX TABLE CONCURRENTLY app.orders;"),
        ("REINDEX SCHEMA app;", "REINDEX SCHEMA CONCURRENTLY app;"),
    ],
)
def test_plain_reindex_fires_with_the_concurrent_fix(sql, fixed):
    [finding] = lint(sql, RULE)
    assert finding.fix.sql == fixed


def test_before_pg12_the_fix_builds_a_copy_and_swaps_it():
    [finding] = lint("REINDEX INDEX orders_state_idx;", RULE, version=Version(11))
    assert "CREATE INDEX CONCURRENTLY orders_state_idx_new" in finding.fix.sql
    assert "DROP INDEX CONCURRENTLY orders_state_idx;" in finding.fix.sql
    assert "RENAME TO orders_state_idx;" in finding.fix.sql
    assert "REINDEX" not in finding.fix.sql and finding.evidence["pg_version"] == "11.0.0"


def test_concurrent_system_and_new_tables_are_clean():
    assert lint("REINDEX INDEX CONCURRENTLY orders_state_idx;", RULE) == []
    assert lint("REINDEX SYSTEM mydb;", RULE) == []
    assert lint("CREATE TABLE t (id int PRIMARY KEY);\nREINDEX TABLE t;", RULE) == []
