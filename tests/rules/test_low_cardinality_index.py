import sqlite3

from dbexpert.model import ColumnStats, Engine, PrimaryKey, Table, TableStats
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.low_cardinality_index import RULE
from tests.factories import catalog, col, idx

STATUS = ColumnStats(
    distinct=4,
    most_common_values=("done", "running", "pending", "it's"),
    most_common_freqs=(0.9, 0.08, 0.015, 0.005),
)


def _run(*indexes, stats=STATUS, rows=50000, engine=Engine.POSTGRES, live=True):
    table = Table(
        name="jobs",
        columns=(col("id", engine=engine), col("phase", "text", engine, stats=stats)),
        primary_key=PrimaryKey(("id",)),
        indexes=indexes,
        stats=TableStats(row_estimate=rows),
    )
    return run_rules(catalog(table, engine=engine, live=live), [RULE])


def test_fires_and_proposes_a_partial_index_on_rare_values():
    [finding] = _run(idx("jobs_status_idx", "phase"))
    assert finding.fix.sql == (
        "CREATE INDEX CONCURRENTLY jobs_phase_rare_idx ON jobs (phase) WHERE phase IN ('pending', 'it''s');\n"
        "DROP INDEX CONCURRENTLY jobs_status_idx;"
    )
    assert finding.evidence["distinct"] == 4
    assert finding.evidence["most_common"]["done"] == 0.9


def test_without_most_common_values_it_advises_dropping():
    [finding] = _run(idx("jobs_status_idx", "phase"), stats=ColumnStats(distinct=2))
    assert finding.fix.sql == "DROP INDEX CONCURRENTLY jobs_status_idx;"


def test_clean_cases():
    status = idx("jobs_status_idx", "phase")
    assert _run(status, rows=500) == []
    assert _run(status, stats=ColumnStats(distinct=5000)) == []
    assert _run(status, stats=None) == []
    assert _run(idx("u", "phase", unique=True)) == []
    assert _run(idx("p", "phase", where="phase = 'pending'")) == []
    assert _run(idx("two", "phase", "id")) == []
    assert _run(status, live=False) == []


def test_sqlite_fix_runs():
    [finding] = _run(idx("jobs_status_idx", "phase"), engine=Engine.SQLITE)
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE jobs (id integer, phase text); CREATE INDEX jobs_status_idx ON jobs (phase);"
    )
    db.executescript(finding.fix.sql)
    [(sql,)] = db.execute("SELECT sql FROM sqlite_master WHERE type = 'index'").fetchall()
    assert "WHERE phase IN ('pending', 'it''s')" in sql
