from dbexpert.rules.exact.migration_down_not_restoring import RULE
from tests.rules.exact_helpers import MigrationRun, check, migration


def test_reports_the_differences():
    run = MigrationRun(migration(), restore_differences=("index t_idx missing",))
    (finding,) = check(RULE, run)
    assert "index t_idx missing" in finding.message
    assert finding.location.path == "2_t.down.sql"
    assert finding.evidence["differences"] == ["index t_idx missing"]


def test_reports_a_failing_down():
    (finding,) = check(RULE, MigrationRun(migration(), down_error='line 1: table "t" does not exist'))
    assert "fails" in finding.message


def test_clean_when_restored_or_without_down():
    assert not check(RULE, MigrationRun(migration()))
    assert not check(RULE, MigrationRun(migration(down=None), restore_differences=("x",)))
