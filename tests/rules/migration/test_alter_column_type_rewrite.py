import pytest

from dbexpert.api.config import Config
from dbexpert.api.migrations import lint_migrations
from dbexpert.model import Engine, Version
from dbexpert.model.migration import Migration, MigrationScript
from tests.rules.migration_helpers import lint

RULE = "alter-column-type-rewrite"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("integer", "bigint"),
        ("varchar(40)", "varchar(20)"),
        ("text", "varchar(20)"),
        ("numeric(10,2)", "numeric(12,3)"),
        ("char(10)", "text"),
        ("timestamp", "timestamptz"),
        ("json", "jsonb"),
    ],
)
def test_rewriting_changes_of_a_known_column_fire(old, new):
    findings = _known(old, new)
    assert len(findings) == 1 and findings[0].location.object == "public.t.c"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("varchar(40)", "varchar(80)"),
        ("varchar(40)", "text"),
        ("varchar(40)", "varchar"),
        ("numeric(10,2)", "numeric(12,2)"),
        ("numeric(10,2)", "numeric"),
        ("cidr", "inet"),
        ("xml", "text"),
        ("timestamp(3)", "timestamp(6)"),
    ],
)
def test_binary_coercible_changes_of_a_known_column_are_clean(old, new):
    assert _known(old, new) == []


def _known(old: str, new: str, prefix: str = "", version: Version | None = None):
    first = Migration(id="1", tool="sql", up=MigrationScript("1.sql", f"CREATE TABLE t (id int, c {old});"))
    second = Migration(
        id="2", tool="sql", up=MigrationScript("2.sql", f"{prefix}ALTER TABLE t ALTER COLUMN c TYPE {new};")
    )
    config = Config(select=(RULE,), engine=Engine.POSTGRES, pg_version=version)
    return [f for f in lint_migrations([first, second], config).findings if f.rule == RULE]


def test_timestamp_to_timestamptz_is_clean_with_a_utc_session_on_pg12_and_later():
    assert _known("timestamp", "timestamptz", "SET TimeZone = 'UTC';\n") == []
    assert len(_known("timestamp", "timestamptz", "SET TimeZone = 'UTC';\n", Version(11))) == 1
    assert len(_known("timestamp", "timestamptz", "SET TimeZone = 'Europe/Oslo';\n")) == 1


def test_unknown_old_type_fires_only_for_targets_that_cannot_be_a_widening():
    [finding] = lint("ALTER TABLE users ALTER COLUMN score TYPE bigint;", RULE)
    assert "unknown" in finding.evidence["old_type"]
    assert finding.location.object == "public.users.score"
    assert "ALTER TABLE users ADD COLUMN score_new bigint;" in finding.fix.sql
    assert "ALTER TABLE users RENAME COLUMN score_new TO score;" in finding.fix.sql
    assert len(lint("ALTER TABLE users ALTER COLUMN created_at TYPE timestamptz;", RULE)) == 1
    assert lint("ALTER TABLE users ALTER COLUMN nickname TYPE varchar(80);", RULE) == []
    assert lint("ALTER TABLE users ALTER COLUMN code TYPE text;", RULE) == []
    assert lint("ALTER TABLE users ALTER COLUMN amount TYPE numeric(12,2);", RULE) == []


def test_using_other_than_a_plain_cast_fires_and_a_plain_cast_does_not():
    [finding] = lint("ALTER TABLE users ALTER COLUMN code TYPE text USING lower(code);", RULE)
    assert "USING" in finding.message
    assert lint("ALTER TABLE users ALTER COLUMN code TYPE text USING code::text;", RULE) == []


def test_tables_created_in_the_same_migration_are_clean():
    assert lint("CREATE TABLE t (id int, c int);\nALTER TABLE t ALTER COLUMN c TYPE bigint;", RULE) == []
