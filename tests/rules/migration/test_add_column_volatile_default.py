import pytest

from dbexpert.model import Version
from tests.rules.migration_helpers import lint

RULE = "add-column-with-volatile-default"


@pytest.mark.parametrize(
    "default",
    [
        "gen_random_uuid()",
        "uuid_generate_v4()",
        "random()",
        "clock_timestamp()",
        "timeofday()",
        "nextval('s')",
    ],
)
def test_volatile_defaults_fire_on_every_version(default):
    sql = f"ALTER TABLE users ADD COLUMN x text DEFAULT {default};"
    for version in (Version(10), Version(15)):
        [finding] = lint(sql, RULE, version=version)
        assert finding.evidence["rewrite"] is True


def test_fix_adds_the_column_then_sets_the_default_then_backfills():
    [finding] = lint("ALTER TABLE users ADD COLUMN api_token uuid DEFAULT gen_random_uuid();", RULE)
    assert finding.fix.sql.splitlines()[:2] == [
        "ALTER TABLE users ADD COLUMN api_token uuid;",
        "ALTER TABLE users ALTER COLUMN api_token SET DEFAULT gen_random_uuid();",
    ]
    assert "UPDATE users SET api_token = gen_random_uuid() WHERE" in finding.fix.sql
    assert finding.evidence["volatile_functions"] == ["gen_random_uuid"]


def test_not_null_volatile_column_gets_the_check_then_set_not_null_sequence():
    [finding] = lint('ALTER TABLE "Users" ADD COLUMN tok uuid NOT NULL DEFAULT gen_random_uuid();', RULE)
    assert 'ALTER TABLE "Users" ALTER COLUMN tok SET NOT NULL;' in finding.fix.sql


def test_unknown_functions_are_assumed_volatile_and_say_so():
    [finding] = lint("ALTER TABLE users ADD COLUMN code text DEFAULT make_code();", RULE)
    assert finding.evidence["functions_of_unknown_volatility"] == ["make_code"]
    assert "assumed VOLATILE" in finding.message


@pytest.mark.parametrize(
    "default",
    ["now()", "CURRENT_TIMESTAMP", "statement_timestamp()", "0", "'x'", "'{}'::jsonb", "'a'::varchar(10)"],
)
def test_stable_and_constant_defaults_are_clean(default):
    assert lint(f"ALTER TABLE users ADD COLUMN x text DEFAULT {default};", RULE) == []


def test_tables_created_in_the_same_migration_are_clean():
    sql = "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();"
    assert lint(sql, RULE) == []


def test_stable_expressions_built_from_known_functions_are_clean():
    assert lint("ALTER TABLE users ADD COLUMN at timestamp DEFAULT timezone('utc', now());", RULE) == []
    assert lint("ALTER TABLE users ADD COLUMN at timestamp DEFAULT (now() AT TIME ZONE 'utc');", RULE) == []
