"""Facts SQLite keeps only in the CREATE text of ``sqlite_schema.sql``.

The pragmas do not expose generation expressions, CHECK constraints, AUTOINCREMENT, table options
(WITHOUT ROWID, STRICT), the key expressions and WHERE clause of an index, or a view's query. We
read those from the stored statement with a small tokenizer that understands SQLite's quoting
(``"x"``, ```x```, ``[x]``, ``'s'``) and comments, so a name like ``a"; drop table x; --`` or a
string containing ``WHERE`` never confuses it. Everything here is pure and never raises on odd
text: a part it cannot find is simply absent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<string>'(?:[^']|'')*'?)
    | (?P<quoted>"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?)
    | (?P<word>[^\W\d][\w$]*)
    | (?P<number>\d[\w.]*)
    | (?P<punct>.)
    """,
    re.S | re.X,
)
_TABLE_CONSTRAINTS = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "string" | "quoted" | "word" | "number" | "punct"
    text: str  # as written
    start: int
    end: int

    @property
    def upper(self) -> str:
        """Keywords compare case-insensitively; quoted identifiers never match a keyword."""
        return self.text.upper() if self.kind == "word" else ""

    @property
    def name(self) -> str:
        """The identifier this token spells, with quotes removed and doubled quotes undone."""
        if self.kind == "quoted":
            if self.text.startswith("["):
                return self.text[1:-1]
            quote = self.text[0]
            return self.text[1:-1].replace(quote * 2, quote)
        if self.kind == "string":
            return self.text[1:-1].replace("''", "'")
        return self.text


def tokenize(sql: str) -> list[Token]:
    """The significant tokens of ``sql`` (no whitespace, no comments)."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup or "punct"
        if kind in ("space", "comment"):
            continue
        tokens.append(Token(kind, match.group(), match.start(), match.end()))
    return tokens


def _closing(tokens: list[Token], open_at: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``open_at`` (or the last token if unbalanced)."""
    depth = 0
    for i in range(open_at, len(tokens)):
        if tokens[i].text == "(":
            depth += 1
        elif tokens[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(tokens) - 1


def _split_commas(tokens: list[Token]) -> list[list[Token]]:
    """Split at commas outside parentheses."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        if token.text == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def _text(sql: str, tokens: list[Token]) -> str:
    return sql[tokens[0].start : tokens[-1].end] if tokens else ""


def _first_paren(tokens: list[Token]) -> int | None:
    return next((i for i, t in enumerate(tokens) if t.text == "("), None)


@dataclass(frozen=True, slots=True)
class TableText:
    """What a CREATE TABLE statement says beyond the pragmas."""

    generated: dict[str, str]  # column name -> generation expression
    checks: list[tuple[str | None, str]]  # (constraint name, expression)
    autoincrement: bool
    options: tuple[str, ...]  # "WITHOUT ROWID", "STRICT"


def parse_create_table(sql: str | None) -> TableText:
    tokens = tokenize(sql or "")
    empty = TableText(generated={}, checks=[], autoincrement=False, options=())
    start = _first_paren(tokens)
    if sql is None or start is None:
        return empty
    end = _closing(tokens, start)
    generated: dict[str, str] = {}
    checks: list[tuple[str | None, str]] = []
    for definition in _split_commas(tokens[start + 1 : end]):
        is_column = definition[0].upper not in _TABLE_CONSTRAINTS
        if is_column:
            expression = _generation(sql, definition)
            if expression is not None:
                generated[definition[0].name] = expression
        checks.extend(_checks(sql, definition))
    tail = [t.upper for t in tokens[end + 1 :]]
    options = []
    if "WITHOUT" in tail and "ROWID" in tail:
        options.append("WITHOUT ROWID")
    if "STRICT" in tail:
        options.append("STRICT")
    autoincrement = any(t.upper == "AUTOINCREMENT" for t in tokens[start:end])
    return TableText(generated=generated, checks=checks, autoincrement=autoincrement, options=tuple(options))


def _generation(sql: str, definition: list[Token]) -> str | None:
    """The expression of ``[GENERATED ALWAYS] AS (expr)`` in a column definition."""
    for i, token in enumerate(definition[1:-1], start=1):
        if token.upper == "AS" and definition[i + 1].text == "(":
            close = _closing(definition, i + 1)
            return _text(sql, definition[i + 2 : close]) or None
    return None


def _checks(sql: str, definition: list[Token]) -> list[tuple[str | None, str]]:
    """CHECK constraints of one column or table-constraint definition, with their names if given."""
    found: list[tuple[str | None, str]] = []
    for i, token in enumerate(definition[:-1]):
        if token.upper != "CHECK" or definition[i + 1].text != "(":
            continue
        named = i >= 2 and definition[i - 2].upper == "CONSTRAINT"
        close = _closing(definition, i + 1)
        expression = _text(sql, definition[i + 2 : close])
        if expression:
            found.append((definition[i - 1].name if named else None, expression))
    return found


@dataclass(frozen=True, slots=True)
class IndexText:
    keys: list[str]  # each key part as written, without ASC/DESC/COLLATE
    where: str | None


def parse_create_index(sql: str | None) -> IndexText:
    tokens = tokenize(sql or "")
    on = next((i for i, t in enumerate(tokens) if t.upper == "ON"), None)
    if sql is None or on is None:
        return IndexText(keys=[], where=None)
    start = _first_paren(tokens[on:])
    if start is None:
        return IndexText(keys=[], where=None)
    start += on
    end = _closing(tokens, start)
    keys = [_text(sql, _strip_ordering(part)) for part in _split_commas(tokens[start + 1 : end])]
    rest = tokens[end + 1 :]
    where_at = next((i for i, t in enumerate(rest) if t.upper == "WHERE"), None)
    where = _text(sql, rest[where_at + 1 :]).rstrip(";").strip() if where_at is not None else None
    return IndexText(keys=keys, where=where or None)


def _strip_ordering(part: list[Token]) -> list[Token]:
    """Drop a trailing ASC/DESC and COLLATE name: the pragmas report those separately."""
    if part and part[-1].upper in ("ASC", "DESC"):
        part = part[:-1]
    if len(part) >= 2 and part[-2].upper == "COLLATE":
        part = part[:-2]
    return part


def view_query(sql: str | None) -> str | None:
    """The SELECT of a CREATE VIEW: the text after the first top-level AS."""
    tokens = tokenize(sql or "")
    depth = 0
    for i, token in enumerate(tokens):
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0 and token.upper == "AS" and i + 1 < len(tokens):
            return _text(sql or "", tokens[i + 1 :]).rstrip(";").strip() or None
    return None
