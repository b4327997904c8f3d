from dbexpert.api.config import Config
from dbexpert.api.migrations import is_unsafe, lint_migrations
from dbexpert.model import Applicability, Engine, Severity, Version
from dbexpert.model.migration import Migration, MigrationScript
from tests.rules.migration_helpers import lint

RULE = "mysql-alter-rebuilds-table"
MYSQL, MARIADB = Version(8, 0), Version(10, 11)
SCHEMA = """CREATE TABLE orders (
  id BIGINT NOT NULL,
  status VARCHAR(20) NULL,
  total INT NOT NULL
) ENGINE=InnoDB;"""


def lint_after(sql: str, version: Version = MYSQL):
    migrations = [
        Migration(id=f"{n}", tool="sql", up=MigrationScript(f"{n}.sql", text), transactional=False)
        for n, text in ((1, SCHEMA), (2, sql))
    ]
    config = Config(select=(RULE,), engine=Engine.MYSQL, mysql_version=version)
    return [f for f in lint_migrations(migrations, config).findings if f.rule == RULE]


def test_adding_a_primary_key_rebuilds_the_table():
    [finding] = lint("ALTER TABLE orders ADD PRIMARY KEY (id);", RULE, Engine.MYSQL, MYSQL)
    assert finding.severity is Severity.WARNING and is_unsafe([finding])
    assert finding.evidence["algorithm"] == "INPLACE" and finding.evidence["rebuilds"] is True
    assert finding.evidence["concurrent_dml"] is True
    assert finding.fix.sql == "ALTER TABLE orders ADD PRIMARY KEY (id), ALGORITHM=INPLACE, LOCK=NONE;"


def test_column_changes_rebuild_before_the_version_that_made_them_instant():
    [finding] = lint(
        "ALTER TABLE orders ADD COLUMN note TEXT NULL AFTER id;", RULE, Engine.MYSQL, Version(8, 0, 20)
    )
    assert "INSTANT from MySQL 8.0.29" in finding.message
    assert lint("ALTER TABLE orders ADD COLUMN note TEXT NULL AFTER id;", RULE, Engine.MYSQL, MYSQL) == []
    [finding] = lint("ALTER TABLE orders ADD COLUMN note TEXT NULL;", RULE, Engine.MYSQL, Version(5, 7))
    assert "INSTANT from MySQL 8.0.12" in finding.message
    assert lint("ALTER TABLE orders ADD COLUMN note TEXT NULL;", RULE, Engine.MYSQL, Version(8, 0, 12)) == []


def test_mariadb_versions():
    [finding] = lint("ALTER TABLE orders DROP COLUMN note;", RULE, Engine.MYSQL, Version(10, 3))
    assert "INSTANT from MariaDB 10.4" in finding.message and finding.evidence["flavor"] == "MariaDB"
    assert lint("ALTER TABLE orders DROP COLUMN note;", RULE, Engine.MYSQL, MARIADB) == []
    assert lint("ALTER TABLE orders ADD COLUMN note TEXT NULL;", RULE, Engine.MYSQL, Version(10, 3)) == []
    assert len(lint("ALTER TABLE orders ADD COLUMN note TEXT NULL;", RULE, Engine.MYSQL, Version(10, 2))) == 1


def test_an_instant_change_mixed_with_an_index_is_split():
    sql = "ALTER TABLE orders ADD COLUMN note TEXT NULL, ADD INDEX orders_status_idx (status);"
    [finding] = lint(sql, RULE, Engine.MYSQL, MYSQL)
    assert "would be INSTANT alone" in finding.message
    assert finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == (
        "ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;\n"
        "ALTER TABLE orders ADD INDEX orders_status_idx (status), ALGORITHM=INPLACE, LOCK=NONE;"
    )


def test_nullability_reorder_and_null_rebuilds():
    assert len(lint_after("ALTER TABLE orders MODIFY status VARCHAR(20) NOT NULL;")) == 1
    assert len(lint_after("ALTER TABLE orders MODIFY total INT NULL;")) == 1
    assert lint_after("ALTER TABLE orders MODIFY total INT NULL;", MARIADB) == []  # instant on 10.4+
    assert len(lint_after("ALTER TABLE orders MODIFY status VARCHAR(20) NULL AFTER total;")) == 1
    assert len(lint_after("ALTER TABLE orders ENGINE=InnoDB;")) == 1
    assert len(lint_after("ALTER TABLE orders FORCE;")) == 1
    [finding] = lint_after("ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, total);")
    assert finding.evidence["operations"] == ["drop and add primary key"]


def test_online_operations_copies_and_new_tables_are_not_this_rule():
    assert lint_after("ALTER TABLE orders ADD INDEX orders_status_idx (status);") == []
    assert lint_after("ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';") == []
    assert lint_after("ALTER TABLE orders RENAME COLUMN status TO state;") == []
    assert lint_after("ALTER TABLE orders MODIFY total BIGINT NOT NULL;") == []  # a copy: the other rule
    assert lint(SCHEMA + "\nALTER TABLE orders ADD PRIMARY KEY (id);", RULE, Engine.MYSQL, MYSQL) == []


def test_a_fulltext_index_or_compressed_rows_rule_out_instant_column_changes():
    schema = (
        "CREATE TABLE posts (id BIGINT PRIMARY KEY, body TEXT, a INT, FULLTEXT KEY ft (body));\n"
        "CREATE TABLE archive (id BIGINT PRIMARY KEY, a INT) ROW_FORMAT=COMPRESSED;"
    )
    migrations = [
        Migration(id=f"{n}", tool="sql", up=MigrationScript(f"{n}.sql", text), transactional=False)
        for n, text in (
            (1, schema),
            (2, "ALTER TABLE posts ADD COLUMN x INT;\nALTER TABLE archive DROP COLUMN a;"),
        )
    ]
    for version in (MYSQL, MARIADB):
        config = Config(select=(RULE,), engine=Engine.MYSQL, mysql_version=version)
        first, second = [f for f in lint_migrations(migrations, config).findings if f.rule == RULE]
        assert "FULLTEXT index" in first.message and "ROW_FORMAT=COMPRESSED" in second.message


def test_explicit_inplace_forces_mysql_to_rebuild_what_would_be_instant():
    sql = "ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INPLACE, LOCK=NONE;"
    [finding] = lint(sql, RULE, Engine.MYSQL, MYSQL)
    assert "explicit ALGORITHM=INPLACE" in finding.message
    assert finding.fix.sql == "ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;"
    assert lint(sql, RULE, Engine.MYSQL, MARIADB) == []  # MariaDB still picks INSTANT
