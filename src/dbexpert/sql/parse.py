"""Split SQL text into statements with exact spans, per dialect, and report syntax errors precisely.

PostgreSQL goes through pglast (the server's own grammar); MySQL and SQLite through sqlglot. The
parsed tree travels inside :class:`Statement` as an opaque value: only ``dbexpert.sql`` looks into it.
Offsets are character offsets into the text (pglast already converts libpg_query's byte offsets).
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pglast
from pglast import parser as pg_parser
from sqlglot import TokenType
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError as GlotParseError
from sqlglot.errors import TokenError as GlotTokenError
from sqlglot.tokens import Token

from dbexpert.model import Engine, InputError

# sqlglot logs a warning whenever it falls back to a raw Command; statements we do not model are
# skipped on purpose, so the warning is noise for our users.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_GLOT_DIALECTS = {Engine.MYSQL: "mysql", Engine.SQLITE: "sqlite"}
_PG_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})


class SqlSyntaxError(InputError):
    """A statement the engine's grammar rejects; the message is ``path:line:column: message``."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.line = line
        self.column = column
        self.reason = message


class LineIndex:
    """Converts character offsets of one text into 1-based line and column numbers."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        self._starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


@dataclass(frozen=True, slots=True)
class ParsedTree:
    """What the DDL translators need besides the text: the tree and how to place its offsets."""

    node: Any
    base: int  # added to the tree's own offsets to get offsets into the whole text
    lines: LineIndex
    options: tuple[str, ...] = ()  # table options stripped before parsing (SQLite WITHOUT ROWID, STRICT)
    tokens: tuple[Any, ...] = ()  # sqlglot tokens of the statement, to recover text exactly as written


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    start: int  # character offset of the first character in the whole text
    line: int
    column: int
    end_line: int
    end_column: int  # column of the last character
    engine: Engine
    path: str = "<string>"
    tree: ParsedTree | None = field(default=None, compare=False, repr=False)  # opaque outside dbexpert.sql

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column of a character offset into the whole text."""
        if self.tree is None:
            return self.line, self.column
        return self.tree.lines.position(offset)


@dataclass(frozen=True, slots=True)
class ParseResult:
    statements: tuple[Statement, ...]
    errors: tuple[SqlSyntaxError, ...]


def split_statements(text: str, engine: Engine, path: str = "<string>") -> list[Statement]:
    """Parse ``text`` into statements; the first syntax error raises :class:`SqlSyntaxError`."""
    result = parse_statements(text, engine, path)
    if result.errors:
        raise result.errors[0]
    return list(result.statements)


def parse_statements(text: str, engine: Engine, path: str = "<string>") -> ParseResult:
    """Parse ``text`` statement by statement, keeping going after a statement that does not parse."""
    lines = LineIndex(text)
    if engine is Engine.POSTGRES:
        return _parse_postgres(text, path, lines)
    if engine in _GLOT_DIALECTS:
        return _parse_glot(text, engine, path, lines)
    raise InputError(f"{path}: no SQL dialect for engine {engine}")


def _statement(
    text: str, start: int, end: int, engine: Engine, path: str, lines: LineIndex, tree: ParsedTree
) -> Statement:
    line, column = lines.position(start)
    end_line, end_column = lines.position(max(start, end - 1))
    return Statement(text[start:end], start, line, column, end_line, end_column, engine, path, tree)


def _error(path: str, lines: LineIndex, offset: int, message: str) -> SqlSyntaxError:
    line, column = lines.position(offset)
    return SqlSyntaxError(path, line, column, message)


# PostgreSQL ------------------------------------------------------------------------------------


def _parse_postgres(text: str, path: str, lines: LineIndex) -> ParseResult:
    try:
        tokens = [t for t in pg_parser.scan(text) if t.name not in _PG_COMMENTS]
    except pg_parser.ParseError as exc:
        return ParseResult((), (_error(path, lines, _pg_offset(exc, 0), _pg_message(exc)),))
    try:
        raw = pglast.parse_sql(text)
    except pg_parser.ParseError:
        # One statement is broken: parse the statements one by one so the others survive.
        return _parse_postgres_chunks(text, path, lines, tokens)
    statements = []
    starts = [token.start for token in tokens]
    for stmt in raw:
        start = stmt.stmt_location or 0  # libpg_query leaves a zero offset out
        limit = start + stmt.stmt_len if stmt.stmt_len else len(text)
        end = _pg_end(tokens, starts, start, limit)
        tree = ParsedTree(stmt.stmt, 0, lines)
        statements.append(_statement(text, start, end, Engine.POSTGRES, path, lines, tree))
    return ParseResult(tuple(statements), ())


def _pg_end(tokens: Sequence[Any], starts: Sequence[int], start: int, limit: int) -> int:
    """End offset (exclusive) of the last real token in [start, limit): trailing comments and blanks are
    not the statement. ``starts`` are the tokens' start offsets, sorted, for a binary search."""
    end = start
    for index in range(bisect_left(starts, start), len(tokens)):
        token = tokens[index]
        if token.start >= limit:
            break
        if token.name != "ASCII_59":
            end = token.end + 1
    return end


def _parse_postgres_chunks(text: str, path: str, lines: LineIndex, tokens: Sequence[Any]) -> ParseResult:
    statements: list[Statement] = []
    errors: list[SqlSyntaxError] = []
    for chunk in _pg_chunks(tokens):
        start, end = chunk[0].start, chunk[-1].end + 1
        try:
            raw = pglast.parse_sql(text[start:end])
        except pg_parser.ParseError as exc:
            errors.append(_error(path, lines, start + _pg_offset(exc, end - start), _pg_message(exc)))
            continue
        for stmt in raw:
            tree = ParsedTree(stmt.stmt, start, lines)
            statements.append(_statement(text, start, end, Engine.POSTGRES, path, lines, tree))
    return ParseResult(tuple(statements), tuple(errors))


def _pg_chunks(tokens: Sequence[Any]) -> list[list[Any]]:
    """Token runs between semicolons. Function bodies are single string tokens, so their semicolons
    do not split; an unbalanced parenthesis must not swallow the rest of the file either."""
    chunks: list[list[Any]] = []
    current: list[Any] = []
    for token in tokens:
        if token.name == "ASCII_59":
            if current:
                chunks.append(current)
            current = []
            continue
        current.append(token)
    if current:
        chunks.append(current)
    return chunks


def _pg_offset(exc: Exception, default: int) -> int:
    """pglast's ParseError carries the 0-based character offset of the error as its second argument."""
    if len(exc.args) > 1 and isinstance(exc.args[1], int):
        return exc.args[1]
    return default


def _pg_message(exc: Exception) -> str:
    return str(exc.args[0]) if exc.args else str(exc)


# MySQL and SQLite ------------------------------------------------------------------------------


def _parse_glot(text: str, engine: Engine, path: str, lines: LineIndex) -> ParseResult:
    dialect = Dialect.get_or_raise(_GLOT_DIALECTS[engine])
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
