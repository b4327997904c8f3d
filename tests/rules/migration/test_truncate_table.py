from dbexpert.model import Engine
from tests.rules.migration_helpers import lint

RULE = "truncate-table"


def test_truncate_cascade_fires_and_names_the_cascade():
    [finding] = lint("TRUNCATE users CASCADE;", RULE)
    assert finding.evidence["cascade"] is True and "CASCADE" in finding.message
    assert "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE <condition>" in finding.fix.sql


def test_plain_truncate_and_mysql_fire():
    assert len(lint("TRUNCATE TABLE users;", RULE)) == 1
    [finding] = lint("TRUNCATE TABLE users;", RULE, Engine.MYSQL)
    assert "ORDER BY id LIMIT 10000" in finding.fix.sql


def test_tables_created_in_the_same_migration_are_clean():
    assert lint("CREATE TABLE t (id int);\nTRUNCATE t;", RULE) == []
