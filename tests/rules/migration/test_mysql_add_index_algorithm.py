from dbexpert.api.migrations import is_unsafe
from dbexpert.model import Applicability, Engine, Severity, Version
from tests.rules.migration_helpers import lint

RULE = "mysql-online-ddl-unspecified"
MYSQL, MARIADB = Version(8, 0), Version(10, 11)


def run(sql: str, version: Version = MYSQL):
    return lint(sql, RULE, Engine.MYSQL, version)


def test_add_index_without_clauses_is_informational_with_the_clauses_appended():
    [finding] = run("ALTER TABLE orders ADD INDEX orders_status_idx (status);")
    assert finding.severity is Severity.INFO and not is_unsafe([finding])
    assert finding.fix.applicability is Applicability.SAFE
    assert (
        finding.fix.sql
        == "ALTER TABLE orders ADD INDEX orders_status_idx (status), ALGORITHM=INPLACE, LOCK=NONE;"
    )
    assert finding.location.object == "orders"


def test_create_index_gets_the_clauses_without_commas():
    [finding] = run("CREATE INDEX orders_status_idx ON orders (status);")
    assert finding.fix.sql == "CREATE INDEX orders_status_idx ON orders (status) ALGORITHM=INPLACE LOCK=NONE;"
    assert run("CREATE INDEX orders_status_idx ON orders (status) ALGORITHM=INPLACE LOCK=NONE;") == []


def test_instant_operations_are_asked_for_algorithm_instant():
    [finding] = run("ALTER TABLE orders ADD COLUMN note TEXT NULL;", MARIADB)
    assert finding.fix.sql == "ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;"
    assert run("ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;") == []


def test_a_missing_lock_clause_alone_is_completed():
    [finding] = run("ALTER TABLE orders ADD INDEX i (status), ALGORITHM=INPLACE;")
    assert finding.fix.sql == "ALTER TABLE orders ADD INDEX i (status), ALGORITHM=INPLACE, LOCK=NONE;"
    assert run("ALTER TABLE orders ADD INDEX i (status), ALGORITHM=INPLACE, LOCK=NONE;") == []
    assert run("ALTER TABLE orders ADD INDEX i (status), ALGORITHM=NOCOPY, LOCK=NONE;", MARIADB) == []


def test_operations_that_cannot_run_online_new_tables_and_renames_are_left_alone():
    assert run("ALTER TABLE orders MODIFY total BIGINT;") == []  # a copy: no clause helps
    assert run("ALTER TABLE orders ADD FULLTEXT INDEX ft (body);") == []
    assert run("ALTER TABLE orders ADD INDEX i (status), LOCK=EXCLUSIVE;") == []  # mysql-alter-locks-table
    assert run("ALTER TABLE orders RENAME TO orders_old;") == []
    assert run("CREATE TABLE t (id INT PRIMARY KEY, a INT);\nALTER TABLE t ADD INDEX i (a);") == []


def test_postgres_is_out_of_scope():
    assert lint("CREATE INDEX i ON orders (status);", RULE) == []
