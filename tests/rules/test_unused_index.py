from datetime import UTC, datetime, timedelta

from dbexpert.model import Engine, ForeignKey, IndexStats, PrimaryKey, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.unused_index import RULE
from tests.factories import catalog, col, idx

NOW = datetime(2024, 6, 30, tzinfo=UTC)


def _stats(scans, size=65536):
    return IndexStats(scans=scans, size_bytes=size)


def _run(*indexes, reset_days_ago=30, live=True, engine=Engine.POSTGRES, fks=(), collected=NOW):
    table = Table(
        name="sessions",
        columns=(col("id"), col("user_agent", "text"), col("user_id")),
        primary_key=PrimaryKey(("id",)),
        indexes=indexes,
        foreign_keys=fks,
    )
    reset = NOW - timedelta(days=reset_days_ago) if reset_days_ago is not None else None
    cat = catalog(table, engine=engine, live=live, stats_reset=reset, collected_at=collected)
    return run_rules(cat, [RULE])


def test_zero_scans_fires_with_age_and_size():
    [finding] = _run(idx("sessions_user_agent_idx", "user_agent", stats=_stats(0)))
    assert finding.fix.sql == "DROP INDEX CONCURRENTLY sessions_user_agent_idx;"
    assert finding.evidence["stats_age_days"] == 30
    assert finding.evidence["index_bytes"] == 65536
    assert finding.mode.value == "live"


def test_scanned_or_constraint_indexes_are_clean():
    assert _run(idx("a", "user_agent", stats=_stats(1))) == []
    assert _run(idx("pk", "id", primary=True, unique=True, constraint="pk", stats=_stats(0))) == []
    assert _run(idx("u", "user_agent", unique=True, stats=_stats(0))) == []
    assert _run(idx("no_stats", "user_agent")) == []


def test_too_young_statistics_say_nothing():
    assert _run(idx("a", "user_agent", stats=_stats(0)), reset_days_ago=2) == []


def test_unknown_reset_fires_and_says_so():
    [finding] = _run(idx("a", "user_agent", stats=_stats(0)), reset_days_ago=None)
    assert "reset date unknown" in finding.message
    assert finding.evidence["stats_reset"] is None


def test_naive_reset_against_aware_collection_time():
    table = Table(name="t", columns=(col("a"),), indexes=(idx("a", "a", stats=_stats(0)),))
    cat = catalog(table, live=True, stats_reset=datetime(2024, 6, 1), collected_at=NOW)
    [finding] = run_rules(cat, [RULE])
    assert finding.evidence["stats_age_days"] == 29


def test_static_catalogs_are_skipped():
    assert _run(idx("a", "user_agent", stats=_stats(0)), live=False) == []


def test_mysql_keeps_the_only_index_of_a_foreign_key():
    fk = ForeignKey(columns=("user_id",), ref_table="users", ref_columns=("id",))
    only = idx("user_id", "user_id", stats=_stats(0))
    assert _run(only, engine=Engine.MYSQL, fks=(fk,)) == []
    other = idx("user_id_agent", "user_id", "user_agent", stats=_stats(5))
    [finding] = _run(only, other, engine=Engine.MYSQL, fks=(fk,))
    assert finding.fix.sql == "ALTER TABLE sessions DROP INDEX user_id;"


def test_postgres_keeps_the_only_index_of_a_foreign_key_too():
    """Dropping it would only trade this finding for foreign-key-without-index."""
    fk = ForeignKey(columns=("user_id",), ref_table="users", ref_columns=("id",))
    only = idx("sessions_user_id_idx", "user_id", stats=_stats(0))
    assert _run(only, fks=(fk,)) == []
    wider = idx("sessions_user_id_agent_idx", "user_id", "user_agent", stats=_stats(5))
    [finding] = _run(only, wider, fks=(fk,))
    assert finding.fix.sql == "DROP INDEX CONCURRENTLY sessions_user_id_idx;"
