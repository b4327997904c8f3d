from __future__ import annotations

from dbexpert.model import Engine
from dbexpert.sources.suppress import is_suppressed, parse_suppressions
from dbexpert.sql.parse import split_statements

TEXT = """-- dbexpert: ignore-file[style-rule]
CREATE TABLE a (x int);

-- dbexpert: ignore[rule-a, rule-b]
CREATE TABLE b (
    y int -- dbexpert: ignore[rule-c]
);
CREATE TABLE c (z int); -- dbexpert: ignore[rule-d]
CREATE TABLE d (w int);
"""


def _suppressions():  # type: ignore[no-untyped-def]
    return parse_suppressions(TEXT, split_statements(TEXT, Engine.POSTGRES))


def test_comment_on_its_own_line_covers_the_next_statement() -> None:
    sups = _suppressions()
    assert is_suppressed(sups, "rule-a", 5) and is_suppressed(sups, "rule-b", 7)
    assert not is_suppressed(sups, "rule-a", 2) and not is_suppressed(sups, "rule-a", 8)


def test_comment_inside_a_statement_covers_that_statement() -> None:
    sups = _suppressions()
    assert is_suppressed(sups, "rule-c", 5) and not is_suppressed(sups, "rule-c", 8)


def test_trailing_comment_covers_its_statement_only() -> None:
    sups = _suppressions()
    assert is_suppressed(sups, "rule-d", 8) and not is_suppressed(sups, "rule-d", 9)


def test_file_suppression_covers_everything() -> None:
    sups = _suppressions()
    assert is_suppressed(sups, "style-rule", 9) and is_suppressed(sups, "style-rule", None)
    assert not is_suppressed(sups, "other", 9)
