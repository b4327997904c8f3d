import pytest

from dbexpert.model import Engine, Severity
from tests.rules.migration_helpers import lint

RULE = "full-table-rewrite"


@pytest.mark.parametrize(
    "sql",
    [
        "VACUUM FULL orders;",
        "CLUSTER orders USING orders_pkey;",
        "ALTER TABLE orders SET UNLOGGED;",
        "ALTER TABLE orders SET LOGGED;",
    ],
)
def test_rewrites_fire_with_pg_repack(sql):
    [finding] = lint(sql, RULE)
    assert finding.severity is Severity.ERROR and finding.evidence["lock"] == "ACCESS EXCLUSIVE"
    assert "pg_repack --table=orders" in finding.fix.sql
    assert finding.location.object == "public.orders"


def test_database_wide_vacuum_full_fires():
    [finding] = lint("VACUUM FULL;", RULE)
    assert finding.evidence["whole_database"] is True and "every table" in finding.message


def test_plain_vacuum_and_new_tables_are_clean():
    assert lint("VACUUM (ANALYZE) orders;", RULE) == []
    assert lint("CREATE TABLE t (id int);\nALTER TABLE t SET UNLOGGED;", RULE) == []


def test_mysql_optimize_table_warns_and_alter_rebuilds_are_left_to_the_mysql_rules():
    [finding] = lint("OPTIMIZE TABLE orders;", RULE, Engine.MYSQL)
    assert finding.severity is Severity.WARNING and "pt-online-schema-change" in finding.fix.sql
    assert lint("ALTER TABLE orders ENGINE=InnoDB;", RULE, Engine.MYSQL) == []
