from dbexpert.model import Engine
from tests.rules.migration_helpers import lint

RULE = "drop-column"


def test_drop_column_fires_with_the_two_release_sequence():
    [finding] = lint("ALTER TABLE users DROP COLUMN score;", RULE)
    assert finding.evidence["data_loss"] is True
    assert finding.location.object == "public.users.score"
    assert "ALTER TABLE users ALTER COLUMN score DROP NOT NULL;" in finding.fix.sql
    assert finding.fix.sql.endswith("SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN score;")


def test_mysql_drop_column_fires():
    [finding] = lint("ALTER TABLE users DROP COLUMN score;", RULE, Engine.MYSQL)
    assert "SET SESSION lock_wait_timeout = 5;" in finding.fix.sql


def test_columns_and_tables_created_in_the_same_migration_are_clean():
    assert lint("ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users DROP COLUMN a;", RULE) == []
    assert lint("CREATE TABLE t (id int, a int);\nALTER TABLE t DROP COLUMN a;", RULE) == []
    assert lint("ALTER TABLE users ALTER COLUMN score DROP NOT NULL;", RULE) == []
