from dbexpert.model import Engine, Severity, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.timestamp_without_time_zone import RULE
from tests.factories import catalog, col


def test_instant_names_fire_on_postgres() -> None:
    table = Table(
        "sessions",
        columns=(
            col("created_at", "timestamp without time zone"),
            col("lastSeenAt", "timestamp(3)"),
            col("expiry_time", "timestamp"),
            col("birthday", "timestamp"),  # a calendar value, not an instant
            col("updated_at", "timestamptz"),
            col("format", "text"),
        ),
    )
    fired = run_rules(catalog(table), [RULE])
    assert [f.location.object for f in fired] == [
        "sessions.created_at",
        "sessions.lastSeenAt",
        "sessions.expiry_time",
    ]
    assert fired[0].severity is Severity.WARNING
    assert fired[1].fix.sql.splitlines() == [
        "BEGIN;",
        "SET LOCAL TimeZone = 'UTC';  -- the zone the stored values were written in",
        'ALTER TABLE sessions ALTER COLUMN "lastSeenAt" TYPE timestamptz;',
        "COMMIT;",
    ]


def test_mysql_datetime_is_informational_and_timestamp_is_clean() -> None:
    table = Table(
        "events",
        columns=(
            col("created_at", "datetime(6)", Engine.MYSQL, nullable=False),
            col("updated_at", "timestamp", Engine.MYSQL),
        ),
    )
    [finding] = run_rules(catalog(table, engine=Engine.MYSQL), [RULE])
    assert finding.severity is Severity.INFO
    assert (
        finding.fix.sql
        == "SET time_zone = '+00:00';\nALTER TABLE events MODIFY created_at TIMESTAMP(6) NOT NULL;"
    )


def test_words_do_not_match_inside_other_words() -> None:
    table = Table(
        "t", columns=(col("format", "timestamp"), col("seat", "timestamp"), col("lunchtime", "timestamp"))
    )
    assert run_rules(catalog(table), [RULE]) == []
