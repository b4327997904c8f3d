"""Split SQL text into statements with exact spans, per dialect, and report syntax errors precisely.

PostgreSQL goes through pglast (the server's own grammar); MySQL and SQLite through sqlglot. The
parsed tree travels inside :class:`Statement` as an opaque value: only ``dbexpert.sql`` looks into it.
Offsets are character offsets into the text (pglast already converts libpg_query's byte offsets).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from pglast import parser as pg_parser

from dbexpert.model import Engine, InputError

_GLOT_DIALECTS = {Engine.MYSQL: "mysql", Engine.SQLITE: "sqlite"}
_PG_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})
_PG_BLANKS = " \t\n\r\f\v"


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
        # Each line starts one past the end of the one before it.
        self._starts = [0, *accumulate(map((1).__add__, map(len, text.split("\n")[:-1])))]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


@dataclass(frozen=True, slots=True)
class ParsedTree:
    """What the DDL translators need besides the text: the tree and how to place its offsets."""

    node: Any  # PostgreSQL: None, the statement's text is parsed again when needed (see ddl_postgres)
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
        from dbexpert.sql.parse_glot import parse_glot  # sqlglot is slow to import: only when needed

        return parse_glot(text, engine, path, lines, _GLOT_DIALECTS[engine])
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
        # The parser checks the whole text and reports where each statement starts and ends; the
        # trees themselves are built later, one statement at a time, and not kept.
        spans = pg_parser.split(text, True, True)
    except pg_parser.ParseError:
        # A scanner error is reported as such; otherwise one statement is broken: parse the
        # statements one by one so the others survive.
        try:
            tokens = [t for t in pg_parser.scan(text) if t.name not in _PG_COMMENTS]
        except pg_parser.ParseError as exc:
            return ParseResult((), (_error(path, lines, _pg_offset(exc, 0), _pg_message(exc)),))
        return _parse_postgres_chunks(text, path, lines, tokens)
    statements = []
    for span in spans:
        start = span.start
        end = _pg_statement_end(text, start, span.stop)
        tree = ParsedTree(None, start, lines)
        statements.append(_statement(text, start, end, Engine.POSTGRES, path, lines, tree))
    return ParseResult(tuple(statements), ())


def _pg_statement_end(text: str, start: int, limit: int) -> int:
    """End offset (exclusive) of the last real token in [start, limit): trailing comments and blanks
    are not the statement. Without comment markers or semicolons that is where the blanks start."""
    chunk = text[start:limit]
    if "--" not in chunk and "/*" not in chunk and ";" not in chunk:
        return start + len(chunk.rstrip(_PG_BLANKS))
    try:
        tokens = [t for t in pg_parser.scan(chunk) if t.name not in _PG_COMMENTS]
    except pg_parser.ParseError:  # pragma: no cover - the text already parsed
        return start + len(chunk.rstrip(_PG_BLANKS))
    return start + _pg_end(tokens, [t.start for t in tokens], 0, len(chunk))


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
            raw = pg_parser.split(text[start:end], True, True)
        except pg_parser.ParseError as exc:
            errors.append(_error(path, lines, start + _pg_offset(exc, end - start), _pg_message(exc)))
            continue
        for _ in raw:
            tree = ParsedTree(None, start, lines)
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
