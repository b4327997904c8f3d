from dbexpert.api.migrations import is_unsafe
from dbexpert.model import Applicability, Engine, Severity, Version
from tests.rules.migration_helpers import lint

RULE = "mysql-alter-locks-table"
MYSQL, MARIADB = Version(8, 0), Version(10, 11)


def run(sql: str, version: Version = MYSQL):
    return lint(sql, RULE, Engine.MYSQL, version)


def test_lock_exclusive_on_an_online_operation_is_replaced_by_lock_none():
    [finding] = run("ALTER TABLE orders ADD INDEX orders_status_idx (status), LOCK=EXCLUSIVE;")
    assert finding.severity is Severity.ERROR and is_unsafe([finding])
    assert "reads and writes" in finding.message
    assert finding.fix.applicability is Applicability.SAFE
    assert (
        finding.fix.sql
        == "ALTER TABLE orders ADD INDEX orders_status_idx (status), ALGORITHM=INPLACE, LOCK=NONE;"
    )


def test_lock_shared_blocks_writes():
    [finding] = run("ALTER TABLE orders LOCK=SHARED, ADD INDEX orders_status_idx (status);")
    assert finding.severity is Severity.WARNING and is_unsafe([finding])
    assert "writes on the table are blocked" in finding.message


def test_algorithm_copy_is_flagged_and_an_instant_operation_gets_algorithm_instant():
    [finding] = run("ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=COPY;")
    assert finding.severity is Severity.ERROR
    assert finding.fix.sql == "ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;"


def test_a_copy_operation_with_algorithm_copy_points_to_gh_ost():
    [finding] = run("ALTER TABLE orders MODIFY total BIGINT, ALGORITHM=COPY, LOCK=SHARED;")
    assert "gh-ost" in finding.fix.sql


def test_requests_the_version_cannot_honour_make_the_statement_fail():
    [finding] = run("ALTER TABLE orders DROP COLUMN note, ALGORITHM=INSTANT;", Version(8, 0, 20))
    assert "will fail" in finding.message and finding.evidence["fails"] is True
    assert finding.fix.sql == "ALTER TABLE orders DROP COLUMN note, ALGORITHM=INPLACE, LOCK=NONE;"
    assert run("ALTER TABLE orders DROP COLUMN note, ALGORITHM=INSTANT;") == []
    [finding] = run("ALTER TABLE orders MODIFY total BIGINT, ALGORITHM=INPLACE, LOCK=NONE;")
    assert "needs ALGORITHM=COPY" in finding.message
    [finding] = run("ALTER TABLE orders ADD FULLTEXT INDEX ft (body), ALGORITHM=INPLACE, LOCK=NONE;")
    assert "LOCK=NONE is refused" in finding.message
    [finding] = run("ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;", Version(5, 7))
    assert "ALGORITHM=INSTANT does not exist" in finding.message


def test_nocopy_is_mariadb_only():
    assert run("ALTER TABLE orders ADD INDEX i (status), ALGORITHM=NOCOPY, LOCK=NONE;", MARIADB) == []
    [finding] = run("ALTER TABLE orders ADD INDEX i (status), ALGORITHM=NOCOPY, LOCK=NONE;", MYSQL)
    assert "NOCOPY does not exist in MySQL" in finding.message


def test_supported_online_requests_and_new_tables_are_clean():
    assert run("ALTER TABLE orders ADD INDEX i (status), ALGORITHM=INPLACE, LOCK=NONE;") == []
    assert run("ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;", MARIADB) == []
    assert run("ALTER TABLE orders ADD INDEX i (status);") == []
    assert (
        run("CREATE TABLE t (id INT PRIMARY KEY, a INT);\nALTER TABLE t ADD INDEX i (a), LOCK=EXCLUSIVE;")
        == []
    )


def test_strings_and_comments_do_not_count_as_clauses():
    assert run("ALTER TABLE orders ADD COLUMN note VARCHAR(20) DEFAULT 'LOCK=EXCLUSIVE';") == []


def test_create_index_lock_shared_gets_lock_none():
    [finding] = run("CREATE INDEX orders_status_idx ON orders (status) LOCK=SHARED;")
    assert finding.fix.sql == "CREATE INDEX orders_status_idx ON orders (status) ALGORITHM=INPLACE LOCK=NONE;"
