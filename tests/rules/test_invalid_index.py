from dbexpert.model import Engine, IndexStats, Table, Version
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.invalid_index import RULE
from tests.factories import catalog, col, idx

V16 = Version(16)


def _run(*indexes, version=V16, live=True, engine=Engine.POSTGRES, schema=None):
    table = Table(
        name="payments", schema=schema, columns=(col("id"), col("reference", "text")), indexes=indexes
    )
    return run_rules(catalog(table, live=live, version=version, engine=engine), [RULE])


BROKEN = idx("payments_reference_idx", "reference", valid=False, stats=IndexStats(size_bytes=4096))


def test_invalid_index_is_reindexed_concurrently():
    [finding] = _run(BROKEN)
    assert finding.fix.sql == "REINDEX INDEX CONCURRENTLY payments_reference_idx;"
    assert finding.evidence["definition"] == (
        "CREATE INDEX CONCURRENTLY payments_reference_idx ON payments (reference);"
    )
    assert finding.evidence["index_bytes"] == 4096


def test_before_12_it_is_dropped_and_recreated_in_its_schema():
    [finding] = _run(BROKEN, version=Version(11), schema="billing")
    assert finding.fix.sql == (
        "DROP INDEX CONCURRENTLY billing.payments_reference_idx;\n"
        "CREATE INDEX CONCURRENTLY payments_reference_idx ON billing.payments (reference);"
    )


def test_partial_unique_expression_definition_is_rebuilt_faithfully():
    from dbexpert.model import Index, IndexKey

    index = Index(
        name="u",
        keys=(IndexKey(expression="lower(reference)"),),
        unique=True,
        where="id > 0",
        include=("id",),
        valid=False,
    )
    [finding] = _run(index, version=Version(11))
    assert finding.fix.sql.endswith(
        "CREATE UNIQUE INDEX CONCURRENTLY u ON payments ((lower(reference))) INCLUDE (id) WHERE id > 0;"
    )


def test_valid_indexes_and_static_catalogs_are_clean():
    assert _run(idx("ok", "reference")) == []
    assert _run(BROKEN, live=False) == []
    assert RULE.needs_live
