from dbexpert.api.config import Config
from dbexpert.api.migrations import is_unsafe, lint_migrations
from dbexpert.model import Engine, Severity, Version
from dbexpert.model.migration import Migration, MigrationScript
from tests.rules.migration_helpers import lint

RULE = "mysql-alter-copies-table"
MYSQL, MARIADB = Version(8, 0), Version(10, 11)
SCHEMA = """CREATE TABLE orders (
  id BIGINT NOT NULL PRIMARY KEY,
  total INT NULL,
  name VARCHAR(60) NULL,
  code VARCHAR(25) NULL,
  body TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;"""


def lint_after(sql: str, version: Version = MYSQL, rule: str = RULE):
    """Findings of ``rule`` for ``sql`` run as a second migration, after one that created SCHEMA."""
    migrations = [
        Migration(id=f"{n}", tool="sql", up=MigrationScript(f"{n}.sql", text), transactional=False)
        for n, text in ((1, SCHEMA), (2, sql))
    ]
    config = Config(select=(rule,), engine=Engine.MYSQL, mysql_version=version)
    return [f for f in lint_migrations(migrations, config).findings if f.rule == rule]


def test_column_type_change_copies_the_table():
    [finding] = lint_after("ALTER TABLE orders MODIFY total BIGINT NULL;")
    assert finding.severity is Severity.ERROR and is_unsafe([finding])
    assert finding.evidence["algorithm"] == "COPY" and finding.evidence["concurrent_dml"] is False
    assert "INT -> BIGINT" in finding.message and "gh-ost" in finding.fix.sql
    assert finding.location.object == "orders"


def test_modify_of_a_column_the_files_never_defined_is_assumed_to_change_type():
    [finding] = lint("ALTER TABLE invoices MODIFY amount BIGINT NOT NULL;", RULE, Engine.MYSQL, MYSQL)
    assert finding.evidence["algorithm"] == "COPY"


def test_varchar_extension_within_the_length_prefix_is_in_place_but_across_it_copies():
    assert lint_after("ALTER TABLE orders MODIFY name VARCHAR(63) NULL;") == []
    [finding] = lint_after("ALTER TABLE orders MODIFY name VARCHAR(100) NULL;")
    assert finding.evidence["operations"] == ["extend VARCHAR across 255 bytes"]
    assert "240 -> 400 bytes" in finding.message


def test_mariadb_extends_a_short_varchar_across_255_bytes_instantly():
    assert lint_after("ALTER TABLE orders MODIFY code VARCHAR(300) NULL;", MARIADB) == []
    assert len(lint_after("ALTER TABLE orders MODIFY code VARCHAR(300) NULL;", MYSQL)) == 1
    assert len(lint_after("ALTER TABLE orders MODIFY name VARCHAR(100) NULL;", MARIADB)) == 1


def test_convert_charset_engine_change_and_stored_generated_column_copy():
    for sql in (
        "ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;",
        "ALTER TABLE orders ENGINE=MyISAM;",
        "ALTER TABLE orders ADD COLUMN total2 INT AS (total * 2) STORED;",
    ):
        [finding] = lint_after(sql)
        assert finding.evidence["algorithm"] == "COPY", sql


def test_dropping_the_primary_key_alone_copies_but_replacing_it_runs_in_place():
    [finding] = lint_after("ALTER TABLE orders DROP PRIMARY KEY;")
    assert "ADD PRIMARY KEY" in finding.fix.description
    assert lint_after("ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, total);") == []


def test_fulltext_and_spatial_indexes_block_writes():
    [finding] = lint_after("ALTER TABLE orders ADD FULLTEXT INDEX orders_body_ft (body);")
    assert finding.evidence["algorithm"] == "INPLACE" and finding.evidence["concurrent_dml"] is False
    assert "does not permit concurrent DML" in finding.message
    assert len(lint("ALTER TABLE places ADD SPATIAL INDEX sp (geo);", RULE, Engine.MYSQL, MYSQL)) == 1


def test_foreign_key_copies_unless_foreign_key_checks_are_off():
    fk = "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (total) REFERENCES customers (id);"
    [finding] = lint_after(fk)
    assert finding.fix.sql.startswith("SET foreign_key_checks = 0;\nALTER TABLE orders ADD CONSTRAINT")
    assert "ALGORITHM=INPLACE, LOCK=NONE;" in finding.fix.sql
    assert lint_after("SET foreign_key_checks = 0;\n" + fk) == []


def test_online_operations_are_clean():
    for version in (MYSQL, MARIADB):
        assert lint_after("ALTER TABLE orders ADD INDEX orders_total_idx (total);", version) == []
        assert lint_after("ALTER TABLE orders ADD COLUMN note TEXT NULL;", version) == []
        assert lint_after("ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;", version) == []


def test_new_tables_and_explicit_copy_requests_are_left_to_other_rules():
    assert lint(SCHEMA + "\nALTER TABLE orders MODIFY total BIGINT;", RULE, Engine.MYSQL, MYSQL) == []
    assert lint_after("ALTER TABLE orders MODIFY total BIGINT, ALGORITHM=COPY;") == []
    # ALGORITHM=INSTANT on a type change fails before copying anything: mysql-alter-locks-table says so.
    assert lint_after("ALTER TABLE orders MODIFY total BIGINT, ALGORITHM=INSTANT;") == []


def test_postgres_is_out_of_scope():
    assert lint("ALTER TABLE orders ALTER COLUMN total TYPE bigint;", RULE) == []


def test_appending_enum_members_is_metadata_only_but_reordering_them_copies():
    schema_enum = "CREATE TABLE tickets (id INT PRIMARY KEY, state ENUM('open','closed') NOT NULL);"
    migrations = [
        Migration(id=f"{n}", tool="sql", up=MigrationScript(f"{n}.sql", text), transactional=False)
        for n, text in (
            (1, schema_enum),
            (2, "ALTER TABLE tickets MODIFY state ENUM('open','closed','merged') NOT NULL;"),
            (3, "ALTER TABLE tickets MODIFY state ENUM('closed','open','merged') NOT NULL;"),
        )
    ]
    config = Config(select=(RULE,), engine=Engine.MYSQL, mysql_version=MYSQL)
    [finding] = [f for f in lint_migrations(migrations, config).findings if f.rule == RULE]
    assert finding.location.path == "3.sql"


def test_a_charset_written_in_modify_that_differs_from_the_table_converts_the_column():
    migrations = [
        Migration(id=f"{n}", tool="sql", up=MigrationScript(f"{n}.sql", text), transactional=False)
        for n, text in (
            (1, "CREATE TABLE notes (id INT PRIMARY KEY, title VARCHAR(40)) DEFAULT CHARSET=utf8;"),
            (2, "ALTER TABLE notes MODIFY title VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"),
        )
    ]
    config = Config(select=(RULE,), engine=Engine.MYSQL, mysql_version=MYSQL)
    [finding] = [f for f in lint_migrations(migrations, config).findings if f.rule == RULE]
    assert finding.evidence["operations"] == ["convert character set"]


def test_create_fulltext_index_blocks_writes():
    [finding] = lint("CREATE FULLTEXT INDEX posts_body_ft ON posts (body);", RULE, Engine.MYSQL, MYSQL)
    assert finding.message.startswith("CREATE INDEX on posts: add FULLTEXT index")
