from dbexpert.model import Applicability
from tests.rules.migration_helpers import lint

RULE = "add-exclusion-constraint"
SQL = "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&);"


def test_exclusion_constraint_on_an_existing_table_fires_with_a_manual_fix():
    [finding] = lint(SQL, RULE)
    assert finding.fix.applicability is Applicability.MANUAL
    assert finding.fix.sql.startswith("CREATE TABLE bookings_new (LIKE bookings INCLUDING ALL);")
    assert finding.evidence["concurrent_alternative"] is False


def test_new_tables_and_other_constraints_are_clean():
    assert lint("CREATE TABLE bookings (during tstzrange);\n" + SQL, RULE) == []
    assert lint("ALTER TABLE bookings ADD CONSTRAINT c CHECK (during IS NOT NULL);", RULE) == []
