from dbexpert.api.migrations import is_unsafe
from dbexpert.model import Engine, Severity
from tests.rules.migration_helpers import lint

RULE = "missing-lock-timeout"


def test_first_strong_lock_without_timeout_is_reported_once_as_info():
    sql = "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;"
    [finding] = lint(sql, RULE)
    assert finding.severity is Severity.INFO and finding.location.line == 1
    assert finding.fix.sql == "SET lock_timeout = '5s';"
    assert not is_unsafe([finding])


def test_create_index_takes_share_and_counts():
    [finding] = lint("CREATE INDEX i ON users (email);", RULE)
    assert finding.evidence["lock"] == "SHARE"


def test_mysql_suggests_lock_wait_timeout():
    [finding] = lint("ALTER TABLE users ADD COLUMN a text;", RULE, Engine.MYSQL)
    assert finding.fix.sql == "SET SESSION lock_wait_timeout = 5;"


def test_timeouts_weak_locks_and_new_tables_are_clean():
    assert lint("SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN a text;", RULE) == []
    assert lint("CREATE INDEX CONCURRENTLY i ON users (email);", RULE) == []
    assert lint("UPDATE users SET a = 1 WHERE id = 1;", RULE) == []
    assert lint("CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int;", RULE) == []
    assert (
        lint("SET SESSION lock_wait_timeout = 5;\nALTER TABLE users ADD COLUMN a text;", RULE, Engine.MYSQL)
        == []
    )
