"""Introspection mapping on captured rows (as the queries returned them from SQLite 3.40)."""

from __future__ import annotations

from dbexpert.engines.sqlite.introspect import (
    ColumnRow,
    ForeignKeyRow,
    IndexColumnRow,
    IntrospectionRows,
    SchemaObjectRow,
    StatRow,
    build_catalog,
    has_stat1,
)
from dbexpert.model import Engine, StatsSource, TypeKind, Version

OBJECTS = [
    SchemaObjectRow("table", "p", "p", "CREATE TABLE p(id integer primary key autoincrement, x char(3))"),
    SchemaObjectRow("table", "sqlite_sequence", "sqlite_sequence", "CREATE TABLE sqlite_sequence(name,seq)"),
    SchemaObjectRow(
        "table", "q", "q", "CREATE TABLE q(a int, b int, c text, primary key(a,b)) without rowid"
    ),
    SchemaObjectRow("index", "sqlite_autoindex_q_1", "q", None),
    SchemaObjectRow(
        "table",
        "r",
        "r",
        "CREATE TABLE r(id integer primary key, pa int, pb int, g int generated always as (pa*2) stored, "
        "v int as (pb+1), foreign key(pa,pb) references q on delete cascade, foreign key (id) references p(id), "
        "check (pa <> pb))",
    ),
    SchemaObjectRow("index", "r_expr", "r", "CREATE INDEX r_expr on r(lower(g), pa desc) where pa > 3"),
    SchemaObjectRow("index", "q_c", "q", "CREATE UNIQUE INDEX q_c on q(c)"),
    SchemaObjectRow("table", "s", "s", "CREATE TABLE s(x int unique, y int, unique(x,y))"),
    SchemaObjectRow("view", "v", "v", "CREATE VIEW v AS SELECT a, b FROM q"),
    SchemaObjectRow("trigger", "t_ins", "s", "CREATE TRIGGER t_ins AFTER INSERT ON s BEGIN SELECT 1; END"),
    SchemaObjectRow("table", "sqlite_stat1", "sqlite_stat1", "CREATE TABLE sqlite_stat1(tbl,idx,stat)"),
]
COLUMNS = [
    ColumnRow("p", 0, "id", "INTEGER", 0, None, 1, 0),
    ColumnRow("p", 1, "x", "char(3)", 0, None, 0, 0),
    ColumnRow("q", 0, "a", "INT", 1, None, 1, 0),
    ColumnRow("q", 1, "b", "INT", 1, None, 2, 0),
    ColumnRow("q", 2, "c", "TEXT", 0, "'none'", 0, 0),
    ColumnRow("r", 0, "id", "INTEGER", 0, None, 1, 0),
    ColumnRow("r", 1, "pa", "INT", 0, None, 0, 0),
    ColumnRow("r", 2, "pb", "INT", 0, None, 0, 0),
    ColumnRow("r", 3, "g", "INT", 0, None, 0, 3),
    ColumnRow("r", 4, "v", "INT", 0, None, 0, 2),
    ColumnRow("s", 0, "x", "INT", 0, None, 0, 0),
    ColumnRow("s", 1, "y", "INT", 0, None, 0, 0),
]
FOREIGN_KEYS = [
    ForeignKeyRow("r", 0, 0, "p", "id", "id", "NO ACTION", "NO ACTION", "NONE"),
    ForeignKeyRow("r", 1, 0, "q", "pa", None, "NO ACTION", "CASCADE", "NONE"),
    ForeignKeyRow("r", 1, 1, "q", "pb", None, "NO ACTION", "CASCADE", "NONE"),
]
INDEX_COLUMNS = [
    IndexColumnRow("q", "q_c", 1, "c", 0, 0, 2, "c", 0, "BINARY"),
    IndexColumnRow("q", "sqlite_autoindex_q_1", 1, "pk", 0, 0, 0, "a", 0, "BINARY"),
    IndexColumnRow("q", "sqlite_autoindex_q_1", 1, "pk", 0, 1, 1, "b", 0, "BINARY"),
    IndexColumnRow("r", "r_expr", 0, "c", 1, 0, -2, None, 0, "BINARY"),
    IndexColumnRow("r", "r_expr", 0, "c", 1, 1, 1, "pa", 1, "NOCASE"),
    IndexColumnRow("s", "sqlite_autoindex_s_2", 1, "u", 0, 0, 0, "x", 0, "BINARY"),
    IndexColumnRow("s", "sqlite_autoindex_s_2", 1, "u", 0, 1, 1, "y", 0, "BINARY"),
    IndexColumnRow("s", "sqlite_autoindex_s_1", 1, "u", 0, 0, 0, "x", 0, "BINARY"),
]
STAT1 = [
    StatRow("p", None, "40"),
    StatRow("q", "q", "1000 10 1"),  # a WITHOUT ROWID table's key is filed under the table's name
    StatRow("q", "q_c", "1000 250 unordered"),
    StatRow("r", "r_expr", "12 3 1"),
    StatRow("s", "sqlite_autoindex_s_1", "60 1"),
]
SETTINGS = {
    "version": "3.40.1",
    "journal_mode": "wal",
    "foreign_keys": 1,
    "page_size": 4096,
    "encoding": "UTF-8",
}


def rows(stat1: list[StatRow] | None = STAT1) -> IntrospectionRows:
    return IntrospectionRows(
        database="shop.db",
        settings=SETTINGS,
        objects=OBJECTS,
        columns=COLUMNS,
        foreign_keys=FOREIGN_KEYS,
        index_columns=INDEX_COLUMNS,
        stat1=stat1,
    )


def test_catalog_header() -> None:
    catalog = build_catalog(rows())
    assert catalog.engine is Engine.SQLITE
    assert catalog.source is StatsSource.LIVE
    assert catalog.database == "shop.db"
    assert catalog.default_schema == "main"
    assert catalog.version == Version(3, 40, 1)
    assert catalog.settings["journal_mode"] == "wal"
    assert catalog.settings["foreign_keys"] == "1"
    assert catalog.attrs["analyzed"] is True
    assert catalog.attrs["triggers"] == ("t_ins",)
    assert [t.name for t in catalog.tables] == ["p", "q", "r", "s"]  # internal sqlite_* tables left out
    assert [(v.name, v.definition) for v in catalog.views] == [("v", "SELECT a, b FROM q")]


def test_rowid_alias_and_autoincrement() -> None:
    p = build_catalog(rows()).table("p")
    assert p is not None
    ident, x = p.columns
    assert ident.autoincrement and not ident.nullable and ident.attrs["rowid_alias"]
    assert (x.kind, x.length, x.raw_type) == (TypeKind.CHAR, 3, "char(3)")
    r = build_catalog(rows()).table("r")
    assert r is not None
    assert r.columns[0].attrs["rowid_alias"] and not r.columns[0].autoincrement


def test_without_rowid_composite_key_and_unique_index() -> None:
    q = build_catalog(rows()).table("q")
    assert q is not None
    assert q.primary_key is not None and q.primary_key.columns == ("a", "b")
    assert q.engine_options == {"WITHOUT ROWID": "true"}
    assert "rowid_alias" not in q.columns[0].attrs
    assert q.column("c").default == "'none'"  # type: ignore[union-attr]
    pk_index = next(i for i in q.indexes if i.primary)
    assert pk_index.columns == ("a", "b") and pk_index.enforces_constraint
    assert pk_index.attrs["avg_rows_per_key"] == (10, 1)
    created = next(i for i in q.indexes if i.name == "q_c")
    assert created.unique and not created.enforces_constraint
    assert q.uniques == ()


def test_generated_columns_checks_and_foreign_keys_in_declaration_order() -> None:
    r = build_catalog(rows()).table("r")
    assert r is not None
    g, v = r.column("g"), r.column("v")
    assert g is not None and g.generated == "pa*2" and g.attrs["generated_storage"] == "stored"
    assert v is not None and v.generated == "pb+1" and v.attrs["generated_storage"] == "virtual"
    assert [c.expression for c in r.checks] == ["pa <> pb"]
    composite, single = r.foreign_keys
    assert composite.columns == ("pa", "pb") and composite.ref_table == "q"
    assert composite.ref_columns == ("a", "b")  # REFERENCES q without columns: q's primary key
    assert composite.attrs["implicit_reference"] and composite.on_delete == "CASCADE"
    assert (single.columns, single.ref_columns) == (("id",), ("id",))


def test_partial_expression_index() -> None:
    r = build_catalog(rows()).table("r")
    assert r is not None
    (index,) = r.indexes
    assert index.where == "pa > 3"
    assert index.expressions == ("lower(g)",)
    assert index.columns == ("(lower(g))", "pa")
    assert index.keys[1].descending and index.keys[1].collation == "NOCASE"
    assert index.keys[0].collation is None


def test_unique_constraints_from_u_indexes() -> None:
    s = build_catalog(rows()).table("s")
    assert s is not None
    assert s.primary_key is None
    assert sorted(u.columns for u in s.uniques) == [("x",), ("x", "y")]
    assert all(i.enforces_constraint for i in s.indexes)


def test_statistics_from_stat1() -> None:
    catalog = build_catalog(rows())
    q, r, s = catalog.table("q"), catalog.table("r"), catalog.table("s")
    assert catalog.table("p").stats.row_estimate == 40  # type: ignore[union-attr]
    assert q is not None and q.stats is not None and q.stats.row_estimate == 1000
    assert q.stats.source is StatsSource.LIVE
    assert q.column("a").stats.distinct == 100  # type: ignore[union-attr]
    assert q.column("c").stats.distinct == 4  # type: ignore[union-attr]
    # A partial index only counts its own rows: no distinct estimate from it, but the row count holds.
    assert r is not None and r.column("pa").stats is None  # type: ignore[union-attr]
    assert s is not None and s.column("x").stats.distinct == 60  # type: ignore[union-attr]


def test_without_stat1_no_statistics() -> None:
    catalog = build_catalog(rows(stat1=None))
    assert catalog.attrs["analyzed"] is False
    assert all(t.stats is None for t in catalog.tables)
    assert all(c.stats is None for t in catalog.tables for c in t.columns)
    assert all(i.stats is None for t in catalog.tables for i in t.indexes)


def test_has_stat1() -> None:
    assert has_stat1(OBJECTS)
    assert not has_stat1([o for o in OBJECTS if o.name != "sqlite_stat1"])
