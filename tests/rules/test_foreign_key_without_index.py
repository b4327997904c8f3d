import sqlite3
from types import MappingProxyType

from dbexpert.model import (
    Column,
    Engine,
    ForeignKey,
    Index,
    IndexKey,
    PrimaryKey,
    Severity,
    Table,
    TableStats,
    TypeKind,
)
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.foreign_key_without_index import RULE
from tests.factories import catalog, col, idx


def _child(*indexes, fk=None, name="books", pk=("id",), engine=Engine.POSTGRES, **kw):
    fk = fk or ForeignKey(columns=("author_id",), ref_table="authors", ref_columns=("id",))
    return Table(
        name=name,
        columns=(col("id", engine=engine), col("author_id", engine=engine), col("shelf_id", engine=engine)),
        primary_key=PrimaryKey(pk),
        foreign_keys=(fk,),
        indexes=indexes,
        **kw,
    )


AUTHORS = Table(name="authors", columns=(col("id"),), primary_key=PrimaryKey(("id",)))


def _run(*tables, engine=Engine.POSTGRES, live=False):
    return run_rules(catalog(AUTHORS, *tables, engine=engine, live=live), [RULE])


def test_fires_without_index_and_gives_concurrent_create():
    [finding] = _run(_child())
    assert finding.fix.sql == "CREATE INDEX CONCURRENTLY books_author_id_idx ON books (author_id);"
    assert finding.severity is Severity.WARNING
    assert finding.location.object == "books.author_id"


def test_clean_when_leading_column_of_an_index():
    assert _run(_child(idx("books_author_title", "author_id", "shelf_id"))) == []


def test_not_covered_by_second_column_partial_invalid_or_expression_index():
    partial = idx("p", "author_id", where="shelf_id IS NULL")
    invalid = idx("i", "author_id", valid=False)
    second = idx("s", "shelf_id", "author_id")
    expression = Index(name="e", keys=(IndexKey(expression="author_id + 0"), IndexKey(column="author_id")))
    assert len(_run(_child(partial, invalid, second, expression))) == 1


def test_composite_foreign_key_in_any_order_of_leading_columns():
    fk = ForeignKey(columns=("author_id", "shelf_id"), ref_table="authors", ref_columns=("a", "b"))
    assert _run(_child(idx("x", "shelf_id", "author_id", "id"), fk=fk)) == []
    assert len(_run(_child(idx("x", "author_id", "id", "shelf_id"), fk=fk))) == 1


def test_primary_key_prefix_counts_as_index():
    assert _run(_child(pk=("author_id", "id"))) == []


def test_cascade_raises_severity_and_live_rows_are_evidence():
    fk = ForeignKey(columns=("author_id",), ref_table="authors", ref_columns=("id",), on_delete="CASCADE")
    [finding] = _run(_child(fk=fk, stats=TableStats(row_estimate=5000)), live=True)
    assert finding.severity is Severity.ERROR
    assert finding.evidence["child_rows"] == 5000
    assert finding.evidence["on_delete"] == "CASCADE"


def test_not_for_mysql():
    assert _run(_child(engine=Engine.MYSQL), engine=Engine.MYSQL) == []


def test_hostile_and_long_names_give_valid_sqlite_sql():
    hostile = 'bo"oks; drop table x; --' + "y" * 80
    table = Table(
        name=hostile,
        columns=(col("id", engine=Engine.SQLITE), col("author id", engine=Engine.SQLITE)),
        foreign_keys=(ForeignKey(columns=("author id",), ref_table="authors", ref_columns=("id",)),),
    )
    [finding] = _run(table, engine=Engine.SQLITE)
    db = sqlite3.connect(":memory:")
    db.execute('CREATE TABLE "' + hostile.replace('"', '""') + '" (id integer, "author id" integer)')
    db.executescript(finding.fix.sql)
    [(name,)] = db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    assert len(name.encode()) <= 63
    assert finding.fix.sql == _run(table, engine=Engine.SQLITE)[0].fix.sql  # deterministic name


def test_prisma_catalog_gets_the_fix_in_prisma_syntax_with_field_and_model_names():
    field = Column(
        "author_id", "integer", TypeKind.INTEGER, attrs=MappingProxyType({"orm_field": "authorId"})
    )
    child = Table(
        name="books",
        columns=(col("id"), field),
        primary_key=PrimaryKey(("id",)),
        foreign_keys=(ForeignKey(columns=("author_id",), ref_table="authors", ref_columns=("id",)),),
        attrs=MappingProxyType({"orm_model": "Book"}),
    )
    [finding] = run_rules(catalog(AUTHORS, child, attrs=MappingProxyType({"orm": "prisma"})), [RULE])
    assert finding.fix.description.endswith("In Prisma: add @@index([authorId]) to model Book.")
    assert finding.fix.sql == "CREATE INDEX CONCURRENTLY books_author_id_idx ON books (author_id);"
    [plain] = _run(_child())
    assert "Prisma" not in plain.fix.description
