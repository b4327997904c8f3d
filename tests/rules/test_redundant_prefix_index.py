from dbexpert.model import Engine, ForeignKey, Index, IndexKey, IndexStats, PrimaryKey, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.redundant_prefix_index import RULE
from tests.factories import catalog, col, idx


def _run(*indexes, engine=Engine.POSTGRES, live=False, fks=()):
    table = Table(
        name="events",
        columns=(col("id"), col("account_id"), col("created_at", "timestamptz")),
        primary_key=PrimaryKey(("id",)),
        indexes=indexes,
        foreign_keys=fks,
    )
    return run_rules(catalog(table, engine=engine, live=live), [RULE])


LONG = idx("events_account_created", "account_id", "created_at")


def test_prefix_index_fires_with_both_definitions():
    [finding] = _run(idx("events_account_id_idx", "account_id"), LONG)
    assert finding.fix.sql == "DROP INDEX CONCURRENTLY events_account_id_idx;"
    assert finding.evidence["covered_by"] == (
        "CREATE INDEX events_account_created ON events (account_id, created_at);"
    )


def test_sizes_are_evidence_when_live():
    short = idx("s", "account_id", stats=IndexStats(size_bytes=8192, scans=3))
    long = idx("l", "account_id", "created_at", stats=IndexStats(size_bytes=16384))
    [finding] = _run(short, long, live=True)
    assert (finding.evidence["redundant_bytes"], finding.evidence["covered_by_bytes"]) == (8192, 16384)


def test_kept_when_unique_constraint_or_not_a_prefix():
    assert _run(idx("s", "account_id", unique=True), LONG) == []
    assert _run(idx("s", "created_at"), LONG) == []
    assert _run(idx("s", "account_id", "created_at"), LONG) == []  # equal keys: duplicate-index's case
    assert _run(idx("s", "account_id", constraint="c"), LONG) == []


def test_predicate_method_validity_direction_and_include_matter():
    short = idx("s", "account_id")
    assert _run(short, idx("l", "account_id", "created_at", where="id > 0")) == []
    assert _run(short, idx("l", "account_id", "created_at", method="gin")) == []
    assert _run(short, idx("l", "account_id", "created_at", valid=False)) == []
    desc = Index(
        name="l", keys=(IndexKey(column="account_id", descending=True), IndexKey(column="created_at"))
    )
    assert _run(short, desc) == []
    assert _run(idx("s", "account_id", include=("id",)), LONG) == []
    assert len(_run(idx("s", "account_id", include=("created_at",)), LONG)) == 1


def test_mysql_prefix_backing_a_foreign_key_is_still_covered():
    fk = ForeignKey(columns=("account_id",), ref_table="accounts", ref_columns=("id",))
    [finding] = _run(idx("account_id", "account_id"), LONG, engine=Engine.MYSQL, fks=(fk,))
    assert finding.fix.sql == "ALTER TABLE events DROP INDEX account_id;"
