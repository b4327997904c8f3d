"""The CREATE-text reader: generation expressions, checks, options, index parts, view queries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dbexpert.engines.sqlite.ddl_text import parse_create_index, parse_create_table, tokenize, view_query


def test_generated_columns_checks_and_options() -> None:
    text = parse_create_table(
        """CREATE TABLE "t ""x"" y" (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            price REAL CONSTRAINT price_positive CHECK (price > 0),
            "net" REAL GENERATED ALWAYS AS (price * (1 - 0.2)) STORED,
            [label] TEXT AS (upper(name)) -- a comment with CHECK (x)
            , name TEXT DEFAULT 'AS (no)',
            CHECK (name <> 'WITHOUT ROWID')
        ) STRICT"""
    )
    assert text.generated == {"net": "price * (1 - 0.2)", "label": "upper(name)"}
    assert text.checks == [("price_positive", "price > 0"), (None, "name <> 'WITHOUT ROWID'")]
    assert text.autoincrement
    assert text.options == ("STRICT",)


def test_without_rowid_and_no_autoincrement_in_strings() -> None:
    text = parse_create_table(
        "CREATE TABLE t (a TEXT DEFAULT 'AUTOINCREMENT', PRIMARY KEY (a)) WITHOUT ROWID"
    )
    assert not text.autoincrement
    assert text.options == ("WITHOUT ROWID",)


def test_index_expression_parts_and_where() -> None:
    text = parse_create_index(
        'CREATE UNIQUE INDEX "on" ON "t(x" (lower(email) COLLATE NOCASE DESC, "a,b", substr(x, 1, 2)) '
        "WHERE deleted_at IS NULL AND note <> 'WHERE'"
    )
    assert text.keys == ["lower(email)", '"a,b"', "substr(x, 1, 2)"]
    assert text.where == "deleted_at IS NULL AND note <> 'WHERE'"


def test_index_without_where() -> None:
    assert parse_create_index("CREATE INDEX i ON t (a)").where is None
    assert parse_create_index(None).keys == []


def test_view_query_skips_column_list() -> None:
    sql = "CREATE VIEW v (a, b) AS SELECT x AS a, y AS b FROM t;"
    assert view_query(sql) == "SELECT x AS a, y AS b FROM t"


@given(st.text(max_size=200))
def test_odd_text_never_raises(sql: str) -> None:
    tokenize(sql)
    parse_create_table(sql)
    parse_create_index(sql)
    view_query(sql)
