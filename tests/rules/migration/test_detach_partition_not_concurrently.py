from dbexpert.model import Version
from tests.rules.migration_helpers import lint

RULE = "detach-partition-not-concurrently"
SQL = "ALTER TABLE events DETACH PARTITION events_2023;"


def test_plain_detach_fires_with_the_concurrent_fix():
    [finding] = lint(SQL, RULE)
    assert finding.fix.sql == "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;"
    assert finding.evidence["lock"] == "ACCESS EXCLUSIVE" and finding.location.object == "public.events"


def test_before_pg14_the_fix_bounds_the_lock_wait():
    [finding] = lint(SQL, RULE, version=Version(13))
    assert finding.fix.sql == "SET lock_timeout = '2s';\nALTER TABLE events DETACH PARTITION events_2023;"
    assert lint(f"SET lock_timeout = '2s';\n{SQL}", RULE, version=Version(13)) == []


def test_a_lock_timeout_is_not_enough_when_concurrently_exists():
    assert len(lint(f"SET lock_timeout = '2s';\n{SQL}", RULE)) == 1


def test_concurrent_finalize_and_new_tables_are_clean():
    assert lint("ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;", RULE) == []
    assert lint("ALTER TABLE events DETACH PARTITION events_2023 FINALIZE;", RULE) == []
    new = "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);\n"
    assert lint(new + SQL, RULE) == []
