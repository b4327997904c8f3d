import sqlite3

from dbexpert.model import Engine, PrimaryKey, Severity, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.delimited_list_in_column import RULE
from tests.factories import catalog, col


class SampleProbe:
    """Stands in for the engine's LiveProbe (tested against real servers elsewhere)."""

    def __init__(self, values):
        self.values = values
        self.sampled: list[str] = []

    def sample_values(self, table, column, limit=1000):
        self.sampled.append(column)
        return self.values.get(column, [])[:limit]

    def count_orphans(self, child, columns, parent, ref_columns, limit=10000):
        return (0, 0)


def _posts(*names, engine=Engine.SQLITE, pk=("id",)):
    columns = (col("id", "integer", engine), *(col(n, "text", engine) for n in names))
    return Table(name="posts", columns=columns, primary_key=PrimaryKey(pk) if pk else None)


def _run(table, probe=None, engine=Engine.SQLITE, sample_all=True):
    options = {RULE.name: {"sample_unnamed_columns": sample_all}}
    return run_rules(catalog(table, engine=engine, live=probe is not None), [RULE], options, probe=probe)


def test_static_fires_only_on_list_names_at_info():
    findings = _run(_posts("tag_ids", "title", "emails", "tags", "categoryList"))
    assert [f.location.object for f in findings] == ["posts.tag_ids", "posts.tags", "posts.categoryList"]
    assert {f.severity for f in findings} == {Severity.INFO}


def test_live_sample_fires_with_ratio_and_example_and_the_fix_splits():
    probe = SampleProbe(
        {"labels": ["red; blue", "green", "a;b;c", "x"], "title": ["Hello, world. How are you today?"]}
    )
    [finding] = _run(_posts("labels", "title"), probe)
    assert finding.severity is Severity.WARNING
    assert finding.evidence["delimiter"] == ";"
    assert finding.evidence["values_from"] == "sample"
    assert (finding.evidence["values"], finding.evidence["delimited"], finding.evidence["ratio"]) == (
        4,
        2,
        0.5,
    )
    assert finding.evidence["example"] == "red; blue"
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE posts (id integer PRIMARY KEY, labels text, title text);"
        "INSERT INTO posts VALUES (1, 'red; blue;red', ''), (2, 'green', ''), (3, NULL, ''), (4, ' ; ', '');"
    )
    db.executescript(finding.fix.sql)
    rows = db.execute("SELECT post_id, label FROM post_labels ORDER BY 1, 2").fetchall()
    assert rows == [(1, "blue"), (1, "red"), (2, "green")]


def test_live_sample_below_threshold_or_prose_or_json_is_clean():
    probe = SampleProbe(
        {
            "tags": ["one", "two", "three", "a,b"],
            "body": [
                "Well, this is a sentence with many words, really.",
                "Yes, sure, it is a longer one here.",
            ],
            "meta": ['{"a": 1, "b": 2}', "[1, 2, 3]"],
        }
    )
    assert _run(_posts("tags", "body", "meta"), probe) == []


def test_long_examples_are_truncated():
    value = ",".join(f"item{i}" for i in range(40))
    [finding] = _run(_posts("refs"), SampleProbe({"refs": [value]}))
    assert len(finding.evidence["example"]) == 80


def test_postgres_and_mysql_sql_use_their_concatenation():
    [pg] = _run(_posts("tag_ids", engine=Engine.POSTGRES), engine=Engine.POSTGRES)
    assert "tag_ids || ','" in pg.fix.sql
    [my] = _run(_posts("tag_ids", engine=Engine.MYSQL), engine=Engine.MYSQL)
    assert "CONCAT(tag_ids, ',')" in my.fix.sql and "varchar(255)" in my.fix.sql


def test_without_single_key_the_fix_is_a_note():
    [finding] = _run(_posts("tag_ids", pk=None))
    assert finding.fix.sql.startswith("-- posts needs a single-column primary key")


def test_by_default_only_list_named_columns_are_sampled():
    """Round trips must not grow with the number of tables: unnamed columns are not sampled."""
    probe = SampleProbe({"labels": ["a;b", "c;d"], "tags": ["x,y", "z,w"]})
    findings = _run(_posts("labels", "tags", "title"), probe, sample_all=False)
    assert probe.sampled == ["tags"]
    assert [f.location.object for f in findings] == ["posts.tags"]


def test_column_statistics_are_used_before_any_sample():
    from dataclasses import replace

    from dbexpert.model import ColumnStats

    table = _posts("labels")
    stats = ColumnStats(
        most_common_values=("red,blue", "green,red", "blue"), most_common_freqs=(0.5, 0.3, 0.2)
    )
    table = replace(table, columns=(table.columns[0], replace(table.columns[1], stats=stats)))
    probe = SampleProbe({})
    [finding] = _run(table, probe, sample_all=False)
    assert probe.sampled == []
    assert finding.evidence["values_from"] == "column statistics (most common values)"
    assert finding.evidence["delimited"] == 2
