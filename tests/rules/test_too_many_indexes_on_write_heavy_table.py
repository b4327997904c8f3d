from dbexpert.model import Engine, IndexStats, Table, TableStats
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.too_many_indexes_on_write_heavy_table import RULE
from tests.factories import catalog, col, idx

WRITE_HEAVY = TableStats(inserts=900_000, updates=80_000, deletes=20_000, seq_scans=1_000, index_scans=9_000)


def _indexes(count, unused=()):
    return tuple(
        idx(f"events_c{i}", f"c{i}", stats=IndexStats(scans=0 if i in unused else 10)) for i in range(count)
    )


def _run(indexes, stats=WRITE_HEAVY, live=True, engine=Engine.POSTGRES, **options):
    table = Table(name="events", columns=tuple(col(f"c{i}") for i in range(12)), indexes=indexes, stats=stats)
    return run_rules(catalog(table, live=live, engine=engine), [RULE], options={RULE.name: options})


def test_fires_with_numbers_and_names_never_scanned_indexes():
    [finding] = _run(_indexes(8, unused=(2, 5)))
    assert finding.evidence["writes"] == 1_000_000
    assert finding.evidence["reads"] == 10_000
    assert finding.evidence["write_read_ratio"] == 100.0
    assert finding.evidence["never_scanned"] == ["events_c2", "events_c5"]
    assert finding.fix.sql == "DROP INDEX CONCURRENTLY events_c2;\nDROP INDEX CONCURRENTLY events_c5;"


def test_no_sql_when_every_index_is_used():
    [finding] = _run(_indexes(9))
    assert finding.fix.sql is None and finding.evidence["never_scanned"] == []


def test_clean_cases():
    assert _run(_indexes(7)) == []
    read_heavy = TableStats(inserts=20_000, seq_scans=10, index_scans=500_000)
    assert _run(_indexes(10), stats=read_heavy) == []
    idle = TableStats(inserts=50, updates=0, deletes=0, seq_scans=0, index_scans=0)
    assert _run(_indexes(10), stats=idle) == []
    assert _run(_indexes(10), stats=None) == []
    assert _run(_indexes(10), live=False) == []


def test_thresholds_are_options():
    assert len(_run(_indexes(4), max_indexes=4)) == 1
    assert _run(_indexes(8), min_write_read_ratio=500) == []


def test_only_writes_and_mysql_drop_syntax():
    only_writes = TableStats(inserts=20_000)
    [finding] = _run(_indexes(8, unused=(0,)), stats=only_writes, engine=Engine.MYSQL)
    assert finding.evidence["write_read_ratio"] is None
    assert finding.fix.sql == "ALTER TABLE events DROP INDEX events_c0;"
