from dbexpert.rules.exact.migration_down_loses_data import RULE
from tests.rules.exact_helpers import MigrationRun, check, migration


def test_reports_tables_and_columns_that_held_data():
    run = MigrationRun(migration(), lost=(("public.t", 10), ("public.u.nick", 7)))
    table, column = check(RULE, run)
    assert "table public.t, which held 10 rows" in table.message
    assert "column public.u.nick, which held 7 values" in column.message
    assert column.location.object == "public.u.nick"


def test_clean_when_nothing_is_lost():
    assert not check(RULE, MigrationRun(migration()))
