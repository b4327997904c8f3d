from dbexpert.api.config import Config
from dbexpert.api.migrations import lint_migrations
from dbexpert.model import Engine
from dbexpert.model.migration import Migration, MigrationScript
from tests.rules.migration_helpers import lint

RULE = "rename-column"


def test_rename_column_fires_with_the_expand_step():
    [finding] = lint("ALTER TABLE users RENAME COLUMN nickname TO display_name;", RULE)
    assert finding.location.object == "public.users.nickname"
    assert finding.fix.sql.startswith("ALTER TABLE users ADD COLUMN display_name <type of nickname>;")
    assert "SET display_name = nickname" in finding.fix.sql


def test_known_type_is_used_in_the_fix():
    first = Migration(
        id="1", tool="sql", up=MigrationScript("1.sql", "CREATE TABLE u (id int, nick varchar(40));")
    )
    second = Migration(
        id="2", tool="sql", up=MigrationScript("2.sql", "ALTER TABLE u RENAME COLUMN nick TO name;")
    )
    config = Config(select=(RULE,), engine=Engine.POSTGRES)
    [finding] = [f for f in lint_migrations([first, second], config).findings if f.rule == RULE]
    assert finding.fix.sql.startswith("ALTER TABLE u ADD COLUMN name varchar(40);")


def test_mysql_rename_and_change_with_a_new_name_fire():
    assert len(lint("ALTER TABLE users RENAME COLUMN nick TO name;", RULE, Engine.MYSQL)) == 1
    assert len(lint("ALTER TABLE users CHANGE nick name VARCHAR(40);", RULE, Engine.MYSQL)) == 1
    assert lint("ALTER TABLE users CHANGE nick nick VARCHAR(80);", RULE, Engine.MYSQL) == []


def test_new_tables_and_columns_added_in_the_same_migration_are_clean():
    assert lint("CREATE TABLE t (id int, a int);\nALTER TABLE t RENAME COLUMN a TO b;", RULE) == []
    assert lint("ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users RENAME COLUMN a TO b;", RULE) == []
