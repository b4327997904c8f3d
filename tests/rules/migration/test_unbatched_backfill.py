from dbexpert.model import Engine, Severity
from tests.rules.migration_helpers import lint

RULE = "unbatched-backfill"


def test_update_of_an_existing_table_warns_with_a_batched_form():
    [finding] = lint("UPDATE users SET status = 'active' WHERE status IS NULL;", RULE)
    assert finding.severity is Severity.WARNING
    assert "UPDATE users SET <assignments> WHERE id IN (SELECT id FROM users" in finding.fix.sql
    assert "LIMIT 10000" in finding.fix.sql


def test_after_an_alter_in_the_same_transaction_it_is_an_error():
    sql = "BEGIN;\nALTER TABLE users ADD COLUMN s text;\nUPDATE users SET s = 'x';\nCOMMIT;"
    [finding] = lint(sql, RULE)
    assert finding.severity is Severity.ERROR and finding.evidence["table_lock_held"] == "ACCESS EXCLUSIVE"
    assert "no WHERE clause" in finding.message


def test_delete_and_mysql_fire():
    assert len(lint("DELETE FROM sessions WHERE expires_at < now();", RULE)) == 1
    [finding] = lint("UPDATE users SET s = 1;", RULE, Engine.MYSQL)
    assert "ORDER BY id LIMIT 10000" in finding.fix.sql


def test_batches_inserts_and_new_tables_are_clean():
    assert (
        lint("UPDATE users SET s = 1 WHERE id IN (SELECT id FROM users WHERE s IS NULL LIMIT 1000);", RULE)
        == []
    )
    assert lint("INSERT INTO users (id) VALUES (1);", RULE) == []
    assert (
        lint("CREATE TABLE t (id int);\nINSERT INTO t SELECT id FROM users;\nUPDATE t SET id = id;", RULE)
        == []
    )
