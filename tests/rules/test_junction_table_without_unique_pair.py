import sqlite3

from dbexpert.model import Engine, ForeignKey, PrimaryKey, Table, UniqueConstraint
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.junction_table_without_unique_pair import RULE
from tests.factories import catalog, col, idx

FKS = (
    ForeignKey(columns=("post_id",), ref_table="posts", ref_columns=("id",)),
    ForeignKey(columns=("tag_id",), ref_table="tags", ref_columns=("id",)),
)


def _link(*extra, name="post_tags", pk=None, **kw):
    columns = (col("post_id"), col("tag_id"), *(col(e, "timestamptz") for e in extra))
    return Table(
        name=name, columns=columns, foreign_keys=FKS, primary_key=PrimaryKey(pk) if pk else None, **kw
    )


def _run(table, engine=Engine.POSTGRES):
    return run_rules(catalog(table, engine=engine), [RULE])


def test_fires_without_key_and_adds_primary_key_after_deduplicating():
    [finding] = _run(_link("created_at"))
    assert finding.fix.sql == (
        "DELETE FROM post_tags a USING post_tags b WHERE a.ctid > b.ctid AND a.post_id = b.post_id "
        "AND a.tag_id = b.tag_id;\nALTER TABLE post_tags ADD PRIMARY KEY (post_id, tag_id);"
    )


def test_surrogate_id_gets_a_unique_constraint():
    [finding] = _run(_link("id", "position", pk=("id",)))
    assert finding.fix.sql.endswith("ADD CONSTRAINT post_tags_post_id_tag_id_key UNIQUE (post_id, tag_id);")


def test_clean_with_pair_key_unique_or_unique_index():
    assert _run(_link(pk=("post_id", "tag_id"))) == []
    assert _run(_link("id", pk=("id",), uniques=(UniqueConstraint(("tag_id", "post_id")),))) == []
    assert _run(_link(indexes=(idx("u", "post_id", "tag_id", unique=True),))) == []


def test_not_a_link_table_when_it_carries_data():
    assert _run(_link("quantity")) == []
    one_fk = Table(name="t", columns=(col("post_id"),), foreign_keys=FKS[:1])
    assert _run(one_fk) == []


def test_sqlite_fix_runs_and_removes_duplicates():
    [finding] = _run(_link("created_at", name="post tags"), engine=Engine.SQLITE)
    db = sqlite3.connect(":memory:")
    db.executescript(
        'CREATE TABLE "post tags" (post_id integer, tag_id integer, created_at text);'
        'INSERT INTO "post tags" VALUES (1, 2, 0), (1, 2, 1), (1, 3, 0);'
    )
    db.executescript(finding.fix.sql)
    assert db.execute('SELECT count(*) FROM "post tags"').fetchone() == (2,)
