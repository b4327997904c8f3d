"""MySQL and SQLite statements through sqlglot: the split and the precise syntax errors."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlglot import TokenType
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError as GlotParseError
from sqlglot.errors import TokenError as GlotTokenError
from sqlglot.tokens import Token

from dbexpert.model import Engine
from dbexpert.sql.parse import (
    LineIndex,
    ParsedTree,
    ParseResult,
    SqlSyntaxError,
    Statement,
    _error,
    _statement,
)

# sqlglot logs a warning whenever it falls back to a raw Command; statements we do not model are
# skipped on purpose, so the warning is noise for our users.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


def parse_glot(text: str, engine: Engine, path: str, lines: LineIndex, dialect_name: str) -> ParseResult:
    dialect = Dialect.get_or_raise(dialect_name)
    try:
        tokens = dialect.tokenize(text)
    except GlotTokenError as exc:
        return ParseResult((), (_glot_token_error(exc, path, lines),))
    statements: list[Statement] = []
    errors: list[SqlSyntaxError] = []
    for chunk in _glot_chunks(tokens):
        start, end = chunk[0].start, chunk[-1].end + 1
        chunk, options = _strip_sqlite_options(chunk) if engine is Engine.SQLITE else (chunk, ())
        try:
            nodes = dialect.parser().parse(chunk, text)
        except GlotParseError as exc:
            errors.append(_glot_parse_error(exc, chunk, path, lines))
            continue
        for node in nodes:
            if node is not None:
                tree = ParsedTree(node, 0, lines, options, tuple(chunk))
                statements.append(_statement(text, start, end, engine, path, lines, tree))
    return ParseResult(tuple(statements), tuple(errors))


def _glot_chunks(tokens: Sequence[Token]) -> list[list[Token]]:
    chunks: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        if token.token_type is TokenType.SEMICOLON:
            if current:
                chunks.append(current)
            current = []
            continue
        current.append(token)
    if current:
        chunks.append(current)
    return chunks


_SQLITE_TABLE_OPTIONS = {("WITHOUT", "ROWID"): "WITHOUT ROWID", ("STRICT",): "STRICT"}


def _strip_sqlite_options(chunk: list[Token]) -> tuple[list[Token], tuple[str, ...]]:
    """sqlglot does not know SQLite's trailing table options; take them off and report them aside."""
    words = [t.text.upper() for t in chunk]
    if len(words) < 3 or words[0] != "CREATE" or "TABLE" not in words[:4]:
        return chunk, ()
    options: list[str] = []
    end = len(chunk)
    while end > 0:
        if end >= 2 and (words[end - 2], words[end - 1]) in _SQLITE_TABLE_OPTIONS:
            options.append(_SQLITE_TABLE_OPTIONS[(words[end - 2], words[end - 1])])
            end -= 2
        elif (
            (words[end - 1],) in _SQLITE_TABLE_OPTIONS
            and end >= 2
            and chunk[end - 2].token_type
            in (
                TokenType.R_PAREN,
                TokenType.COMMA,
            )
        ):
            options.append(_SQLITE_TABLE_OPTIONS[(words[end - 1],)])
            end -= 1
        else:
            break
        if end > 0 and chunk[end - 1].token_type is TokenType.COMMA:
            end -= 1
    if not options or chunk[end - 1].token_type is not TokenType.R_PAREN:
        return chunk, ()
    return chunk[:end], tuple(reversed(options))


def _glot_parse_error(
    exc: GlotParseError, chunk: Sequence[Token], path: str, lines: LineIndex
) -> SqlSyntaxError:
    detail = exc.errors[0] if exc.errors else {}
    line, col = detail.get("line"), detail.get("col")
    message = detail.get("description") or str(exc).split("\n")[0]
    # sqlglot reports the column where the offending token ends; point at where it starts.
    for token in chunk:
        if token.line == line and token.col == col:
            return _error(path, lines, token.start, message)
    if line is None or col is None:
        return _error(path, lines, chunk[-1].end if chunk else 0, message)
    highlight = detail.get("highlight") or ""
    return SqlSyntaxError(path, line, max(1, col - len(highlight) + 1), message)


def _glot_token_error(exc: GlotTokenError, path: str, lines: LineIndex) -> SqlSyntaxError:
    # TokenError messages read "Error tokenizing 'context'": no position, so use the line sqlglot stopped at.
    message = str(exc).split("\n")[0]
    return SqlSyntaxError(path, 1, 1, message)
