from dbexpert.model import Engine, Severity, Version
from tests.rules.migration_helpers import lint

RULE = "add-required-column"


def test_not_null_without_default_fails_on_postgres_with_an_error():
    [finding] = lint("ALTER TABLE users ADD COLUMN region text NOT NULL;", RULE)
    assert finding.severity is Severity.ERROR and finding.evidence["fails_with_rows"] is True
    sql = finding.fix.sql
    assert sql.startswith("ALTER TABLE users ADD COLUMN region text NULL;")
    assert "CHECK (region IS NOT NULL) NOT VALID" in sql and "ALTER COLUMN region SET NOT NULL" in sql


def test_before_pg12_the_fix_keeps_the_check_instead_of_set_not_null():
    [finding] = lint("ALTER TABLE users ADD COLUMN region text NOT NULL;", RULE, version=Version(11))
    assert "SET NOT NULL" not in finding.fix.sql


def test_mysql_fills_implicit_defaults_and_warns():
    [finding] = lint("ALTER TABLE users ADD COLUMN region VARCHAR(10) NOT NULL;", RULE, Engine.MYSQL)
    assert finding.severity is Severity.WARNING and "implicit default" in finding.message
    assert "MODIFY region VARCHAR(10) NOT NULL" in finding.fix.sql


def test_defaults_nullable_identity_and_new_tables_are_clean():
    assert lint("ALTER TABLE users ADD COLUMN region text NOT NULL DEFAULT 'eu';", RULE) == []
    assert lint("ALTER TABLE users ADD COLUMN region text;", RULE) == []
    assert lint("ALTER TABLE users ADD COLUMN n bigint NOT NULL GENERATED ALWAYS AS IDENTITY;", RULE) == []
    assert lint("CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a text NOT NULL;", RULE) == []


def test_constant_default_is_offered_only_where_it_is_instant():
    [modern] = lint("ALTER TABLE users ADD COLUMN region text NOT NULL;", RULE)
    [old] = lint("ALTER TABLE users ADD COLUMN region text NOT NULL;", RULE, version=Version(10))
    assert "constant DEFAULT" in modern.fix.description and "constant DEFAULT" not in old.fix.description
