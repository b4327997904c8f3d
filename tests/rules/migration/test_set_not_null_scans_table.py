from dbexpert.api.config import Config
from dbexpert.api.migrations import lint_migrations
from dbexpert.model import Finding, Version
from dbexpert.model.migration import Migration, MigrationScript
from tests.rules.migration_helpers import lint

RULE = "set-not-null-scans-table"
USERS = "CREATE TABLE users (id bigint PRIMARY KEY, email text, score int);"
SET = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;"
CHECK = "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;"
VALIDATE = "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;"


def lint_after(sql: str, version: Version | None = None) -> list[Finding]:
    """Lint ``sql`` as a second migration, after one that created the users table."""
    migrations = [
        Migration(id=str(i), tool="sql", up=MigrationScript(f"{i}.sql", text), transactional=False)
        for i, text in enumerate((USERS, sql))
    ]
    result = lint_migrations(migrations, Config(select=(RULE,), pg_version=version))
    return [f for f in result.findings if f.rule == RULE]


def test_set_not_null_fires_with_the_check_sequence():
    [finding] = lint(SET, RULE)
    assert finding.fix.sql.splitlines() == [
        "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;",
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        "ALTER TABLE users DROP CONSTRAINT users_email_not_null;",
    ]
    assert finding.location.object == "public.users.email" and finding.evidence["lock"] == "ACCESS EXCLUSIVE"
    assert len(lint_after(SET)) == 1


def test_a_validated_check_skips_the_scan_from_pg12():
    assert lint_after(f"{CHECK}\n{VALIDATE}\n{SET}") == []
    assert lint_after(f"{CHECK}\n{VALIDATE}\n{SET}", Version(12)) == []


def test_a_check_validated_in_an_earlier_migration_proves_it():
    assert lint_after(f"{CHECK}\n{VALIDATE}") == []  # nothing to report yet
    both = "ALTER TABLE users ADD CONSTRAINT c CHECK ((email IS NOT NULL) AND (score > 0));"
    assert lint_after(f"{both}\n{SET}") == []


def test_before_pg12_the_check_does_not_help_and_the_fix_keeps_the_check():
    [finding] = lint_after(f"{CHECK}\n{VALIDATE}\n{SET}", Version(11))
    assert "SET NOT NULL" not in finding.fix.sql and finding.evidence["pg_version"] == "11.0.0"


def test_an_unvalidated_or_weaker_check_does_not_prove_not_null():
    assert len(lint_after(f"{CHECK}\n{SET}")) == 1
    either = "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL OR score > 0);"
    assert len(lint_after(f"{either}\n{SET}")) == 1
    trap = "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL AND score > 0 OR id > 0);"
    assert len(lint_after(f"{trap}\n{SET}")) == 1


def test_column_added_earlier_with_a_default_still_scans_and_the_fix_declares_not_null_inline():
    sql = (
        "ALTER TABLE users ADD COLUMN tier int DEFAULT 0;\nALTER TABLE users ALTER COLUMN tier SET NOT NULL;"
    )
    [finding] = lint_after(sql)
    assert finding.evidence["column_added_in_this_migration"] is True
    assert finding.fix.sql.endswith("ALTER TABLE users ADD COLUMN tier integer NOT NULL DEFAULT 0;")


def test_new_tables_drop_not_null_and_already_not_null_columns_are_clean():
    assert lint(f"{USERS}\n{SET}", RULE) == []
    assert lint("ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", RULE) == []
    assert lint_after("ALTER TABLE users ALTER COLUMN id SET NOT NULL;") == []
