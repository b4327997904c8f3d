from dbexpert.model import Mode
from dbexpert.rules.exact.migration_down_missing import RULE
from tests.rules.exact_helpers import MigrationRun, check, migration


def test_fires_without_down():
    (finding,) = check(RULE, MigrationRun(migration(down=None)))
    assert finding.rule == "migration-down-missing" and finding.mode is Mode.EXACT
    assert finding.location.path == "2_t.up.sql"


def test_clean_with_down():
    assert not check(RULE, MigrationRun(migration()))
