from dbexpert.model import Engine
from tests.rules.migration_helpers import lint

RULE = "explicit-lock-table"


def test_lock_table_fires_with_its_mode():
    [finding] = lint("BEGIN;\nLOCK TABLE orders IN ACCESS EXCLUSIVE MODE;\nCOMMIT;", RULE)
    assert (
        finding.evidence["lock"] == "ACCESS EXCLUSIVE"
        and finding.evidence["blocks"] == "all reads and writes"
    )
    assert finding.fix.sql == "SET lock_timeout = '5s';"
    [finding] = lint("LOCK TABLE orders IN SHARE MODE;", RULE)
    assert finding.evidence["blocks"] == "writes"


def test_default_mode_is_access_exclusive():
    [finding] = lint("LOCK orders;", RULE)
    assert finding.evidence["lock"] == "ACCESS EXCLUSIVE"


def test_mysql_lock_tables_fires():
    [finding] = lint("LOCK TABLES orders WRITE;", RULE, Engine.MYSQL)
    assert finding.fix.sql == "SET SESSION lock_wait_timeout = 5;"


def test_weak_modes_and_new_tables_are_clean():
    assert lint("LOCK TABLE orders IN ACCESS SHARE MODE;", RULE) == []
    assert lint("CREATE TABLE t (id int);\nLOCK TABLE t;", RULE) == []


def test_mysql_message_names_unlock_tables():
    [finding] = lint("LOCK TABLES orders READ;", RULE, Engine.MYSQL)
    assert finding.message == "LOCK TABLES orders READ blocks writes until UNLOCK TABLES."
