from dbexpert.model import Engine
from tests.rules.migration_helpers import lint

RULE = "drop-table"


def test_drop_table_fires_once_per_existing_table():
    findings = lint("DROP TABLE audit_log, events CASCADE;", RULE)
    assert [f.location.object for f in findings] == ["public.audit_log", "public.events"]
    assert all(f.evidence["cascade"] for f in findings) and "CASCADE" in findings[0].message
    assert "REVOKE ALL ON audit_log FROM PUBLIC;" in findings[0].fix.sql


def test_mysql_drop_table_fires():
    assert len(lint("DROP TABLE IF EXISTS audit_log;", RULE, Engine.MYSQL)) == 1


def test_tables_created_in_the_same_migration_and_other_objects_are_clean():
    assert lint("CREATE TABLE t (id int);\nDROP TABLE t;", RULE) == []
    assert lint("DROP INDEX users_email_idx;", RULE) == []
    assert lint("DROP VIEW v;", RULE) == []
