from __future__ import annotations

import pytest

from dbexpert.model import Engine, InputError
from dbexpert.sql.parse import SqlSyntaxError, parse_statements, split_statements

ALL = [Engine.POSTGRES, Engine.MYSQL, Engine.SQLITE]


@pytest.mark.parametrize("engine", ALL)
def test_spans_skip_comments_and_blanks(engine: Engine) -> None:
    text = "CREATE TABLE a (x int);\n\n-- note é\n  CREATE TABLE b (y int)  ;\n"
    first, second = split_statements(text, engine)
    assert first.text == "CREATE TABLE a (x int)"
    assert (first.line, first.column, first.end_line, first.end_column) == (1, 1, 1, 22)
    assert second.text == "CREATE TABLE b (y int)"
    assert (second.line, second.column) == (4, 3)
    assert text[second.start : second.end] == second.text


def test_postgres_offsets_are_characters_with_non_ascii_text() -> None:
    text = "SELECT 'ééé';\nCREATE TABLE ü (x int);"
    statements = split_statements(text, Engine.POSTGRES)
    assert [s.text for s in statements] == ["SELECT 'ééé'", "CREATE TABLE ü (x int)"]
    assert (statements[1].line, statements[1].column) == (2, 1)


def test_postgres_syntax_error_in_second_statement_after_non_ascii() -> None:
    text = "CREATE TABLE a (x int);\n-- é\nCREATE TABLE é (x int) frm;"
    with pytest.raises(SqlSyntaxError) as info:
        split_statements(text, Engine.POSTGRES, "f.sql")
    assert str(info.value).startswith("f.sql:3:24: syntax error")
    assert isinstance(info.value, InputError)


@pytest.mark.parametrize("engine", [Engine.MYSQL, Engine.SQLITE])
def test_glot_syntax_error_points_at_token_start(engine: Engine) -> None:
    text = "CREATE TABLE a (x int);\n/* é */ CREATE TABLE b (x int) );"
    with pytest.raises(SqlSyntaxError) as info:
        split_statements(text, engine, "f.sql")
    assert (info.value.line, info.value.column) == (2, 32)
    assert str(info.value).startswith("f.sql:2:32: ")


@pytest.mark.parametrize("engine", ALL)
def test_broken_statement_does_not_hide_the_others(engine: Engine) -> None:
    text = "CREATE TABLE a (x int);\nCREATE TABLE b (x int) );\nCREATE TABLE c (z int);"
    result = parse_statements(text, engine, "f.sql")
    assert [s.line for s in result.statements] == [1, 3]
    assert len(result.errors) == 1 and result.errors[0].line == 2


@pytest.mark.parametrize("engine", ALL)
def test_unterminated_string_is_a_clean_error(engine: Engine) -> None:
    with pytest.raises(SqlSyntaxError) as info:
        split_statements("SELECT 'abc", engine, "f.sql")
    assert str(info.value).startswith("f.sql:1:")


def test_sqlite_table_options_are_kept_aside() -> None:
    (statement,) = split_statements(
        "CREATE TABLE t (k TEXT PRIMARY KEY) WITHOUT ROWID, STRICT", Engine.SQLITE
    )
    assert statement.tree is not None
    assert statement.tree.options == ("WITHOUT ROWID", "STRICT")
