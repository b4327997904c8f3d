"""The Prisma schema language, read into plain blocks, fields and attributes with their positions.

A small hand-written lexer and recursive-descent parser: Prisma's own parser is Rust, and there is
no maintained Python one. Only the syntax is handled here; meaning is ``prisma.py``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbexpert.model import InputError

_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\f]+)
      | (?P<comment>//[^\n]*)
      | (?P<nl>\n)
      | (?P<str>"(?:[^"\\\n]|\\.)*")
      | (?P<num>-?\d+(?:\.\d+)?)
      | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<punct>@@|[@{}()\[\],:=?.!])
    """,
    re.X,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "str" | "num" | "ident" | "punct" | "nl" | "eof"
    text: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Str:
    value: str


@dataclass(frozen=True, slots=True)
class Name:
    """A bare identifier: a field reference, an enum value, ``Cascade``, ``true``."""

    value: str


@dataclass(frozen=True, slots=True)
class Call:
    """``name(args)``: ``autoincrement()``, ``env("URL")``, or a field with options ``title(sort: Desc)``."""

    name: str
    args: tuple[Arg, ...] = ()


Value = Str | Name | Call | list["Value"]


@dataclass(frozen=True, slots=True)
class Arg:
    name: str | None  # None for a positional argument
    value: Value


@dataclass(frozen=True, slots=True)
class Attribute:
    """``@id``, ``@db.VarChar(40)``, ``@@index([a, b])`` (``name`` without the ``@`` signs)."""

    name: str
    args: tuple[Arg, ...]
    line: int
    column: int
    path: str = ""  # the file it is in (a schema may span several files)

    def arg(self, name: str, position: int | None = None) -> Value | None:
        """The argument called ``name``, or else the positional one at ``position``."""
        for arg in self.args:
            if arg.name == name:
                return arg.value
        positional = [a.value for a in self.args if a.name is None]
        if position is not None and position < len(positional):
            return positional[position]
        return None


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: str
    optional: bool
    is_list: bool
    attributes: tuple[Attribute, ...]
    line: int
    column: int
    type_args: tuple[Arg, ...] = ()  # Unsupported("circle")
    path: str = ""

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True)
class Assignment:
    key: str
    value: Value
    line: int


@dataclass(frozen=True, slots=True)
class Block:
    """``model``/``view``/``enum``/``type``/``datasource``/``generator`` NAME { ... }."""

    keyword: str
    name: str
    line: int
    column: int
    fields: tuple[Field, ...] = ()
    attributes: tuple[Attribute, ...] = ()  # block attributes (@@...)
    assignments: tuple[Assignment, ...] = ()  # datasource/generator settings
    values: tuple[str, ...] = ()  # enum values (their database names, after @map)
    path: str = ""

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def setting(self, key: str) -> Value | None:
        return next((a.value for a in self.assignments if a.key == key), None)


def tokenize(text: str, path: str) -> list[Token]:
    tokens: list[Token] = []
    line, line_start, pos = 1, 0, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise InputError(f"{path}:{line}:{pos - line_start + 1}: unexpected character {text[pos]!r}")
        kind = match.lastgroup or ""
        if kind == "nl":
            tokens.append(Token("nl", "\n", line, pos - line_start + 1))
            line, line_start = line + 1, match.end()
        elif kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), line, pos - line_start + 1))
        pos = match.end()
    tokens.append(Token("eof", "", line, pos - line_start + 1))
    return tokens


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.tokens = tokenize(text, path)
        self.pos = 0

    # helpers --------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def error(self, message: str, token: Token | None = None) -> InputError:
        token = token or self.tok
        return InputError(f"{self.path}:{token.line}:{token.column}: {message}")

    def next(self) -> Token:
        token = self.tok
        self.pos += 1
        return token

    def at(self, text: str) -> bool:
        return self.tok.kind == "punct" and self.tok.text == text

    def expect(self, text: str) -> Token:
        if not self.at(text):
            found = "end of file" if self.tok.kind == "eof" else repr(self.tok.text)
            raise self.error(f"expected {text!r}, found {found}")
        return self.next()

    def ident(self, what: str) -> Token:
        if self.tok.kind != "ident":
            found = "end of line" if self.tok.kind == "nl" else repr(self.tok.text or "end of file")
            raise self.error(f"expected {what}, found {found}")
        return self.next()

    def skip_newlines(self) -> None:
        while self.tok.kind == "nl":
            self.pos += 1

    def end_of_line(self) -> None:
        if self.tok.kind not in ("nl", "eof") and not self.at("}"):
            raise self.error(f"unexpected {self.tok.text!r}")

    # grammar --------------------------------------------------------------------------------
    def schema(self) -> list[Block]:
        blocks = []
        self.skip_newlines()
        while self.tok.kind != "eof":
            blocks.append(self.block())
            self.skip_newlines()
        return blocks

    def block(self) -> Block:
        keyword = self.ident("a block (model, enum, datasource, generator)")
        if keyword.text not in ("model", "view", "enum", "type", "datasource", "generator"):
            raise self.error(f"unknown block {keyword.text!r}", keyword)
        name = self.ident(f"a {keyword.text} name")
        self.expect("{")
        fields: list[Field] = []
        attributes: list[Attribute] = []
        assignments: list[Assignment] = []
        values: list[str] = []
        while True:
            self.skip_newlines()
            if self.at("}"):
                self.next()
                break
            if self.tok.kind == "eof":
                raise self.error(f"{keyword.text} {name.text!r} is not closed with '}}'", keyword)
            if self.at("@@"):
                attributes.append(self.attribute())
            elif keyword.text in ("datasource", "generator"):
                key = self.ident("a setting name")
                self.expect("=")
                assignments.append(Assignment(key.text, self.value(), key.line))
            elif keyword.text == "enum":
                value = self.ident("an enum value")
                mapped = value.text
                while self.at("@"):
                    attribute = self.attribute()
                    target = attribute.arg("name", 0)
                    if attribute.name == "map" and isinstance(target, Str):
                        mapped = target.value
                values.append(mapped)
            else:
                fields.append(self.field())
            self.end_of_line()
        return Block(
            keyword=keyword.text,
            name=name.text,
            line=keyword.line,
            column=keyword.column,
            fields=tuple(fields),
            attributes=tuple(attributes),
            assignments=tuple(assignments),
            values=tuple(values),
            path=self.path,
        )

    def field(self) -> Field:
        name = self.ident("a field name")
        type_token = self.ident(f"a type for field {name.text!r}")
        type_args: tuple[Arg, ...] = ()
        if self.at("("):
            type_args = self.arguments()
        is_list = optional = False
        if self.at("["):
            self.next()
            self.expect("]")
            is_list = True
        if self.at("?"):
            self.next()
            optional = True
        attributes = []
        while self.at("@"):
            attributes.append(self.attribute())
        return Field(
            name.text,
            type_token.text,
            optional,
            is_list,
            tuple(attributes),
            name.line,
            name.column,
            type_args,
            self.path,
        )

    def attribute(self) -> Attribute:
        start = self.next()  # "@" or "@@"
        parts = [self.ident("an attribute name").text]
        while self.at("."):
            self.next()
            parts.append(self.ident("an attribute name").text)
        args = self.arguments() if self.at("(") else ()
        return Attribute(".".join(parts), args, start.line, start.column, self.path)

    def arguments(self) -> tuple[Arg, ...]:
        opening = self.expect("(")
        args: list[Arg] = []
        while not self.at(")"):
            self.skip_newlines()
            name = None
            if self.tok.kind == "ident" and self.tokens[self.pos + 1].text == ":":
                name = self.next().text
                self.next()
            args.append(Arg(name, self.value()))
            self.skip_newlines()
            if not self.at(","):
                break
            self.next()
        self.skip_newlines()
        if not self.at(")"):
            raise self.error("'(' is not closed", opening)
        self.next()
        return tuple(args)

    def value(self) -> Value:
        token = self.tok
        if token.kind == "str":
            self.next()
            return Str(_unescape(token.text[1:-1]))
        if token.kind == "num":
            self.next()
            return Name(token.text)
        if token.kind == "ident":
            self.next()
            name = token.text
            while self.at("."):
                self.next()
                name += "." + self.ident("a name").text
            if self.at("("):
                return Call(name, self.arguments())
            return Name(name)
        if self.at("["):
            self.next()
            items: list[Value] = []
            self.skip_newlines()
            while not self.at("]"):
                items.append(self.value())
                self.skip_newlines()
                if not self.at(","):
                    break
                self.next()
                self.skip_newlines()
            self.expect("]")
            return items
        raise self.error("expected a value" if token.kind != "nl" else "expected a value, found end of line")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def parse_schema(text: str, path: str) -> list[Block]:
    """The blocks of a Prisma schema; raises :class:`InputError` ``path:line:column: message``."""
    return _Parser(text, path).schema()
