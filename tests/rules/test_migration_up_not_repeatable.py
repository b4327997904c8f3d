from dbexpert.rules.exact.migration_up_not_repeatable import RULE
from tests.rules.exact_helpers import MigrationRun, check, migration


def test_reports_a_failing_second_up():
    run = MigrationRun(migration(), up_again_error='line 2: relation "s" already exists')
    (finding,) = check(RULE, run)
    assert "already exists" in finding.message and finding.location.path == "2_t.up.sql"


def test_reports_a_different_schema():
    (finding,) = check(RULE, MigrationRun(migration(), repeat_differences=("sequence public.s added",)))
    assert "sequence public.s added" in finding.message


def test_clean_when_repeatable():
    assert not check(RULE, MigrationRun(migration()))
