"""mongosh's relaxed JSON -> strict JSON, keeping where every character came from.

mongosh (and the legacy mongo shell) print explain() output as JavaScript: unquoted keys,
single-quoted strings, trailing commas, and BSON types as constructor calls (``ObjectId("...")``,
``ISODate("...")``, ``NumberLong(123)``, ``Long("123")``, ``Timestamp({ t: 1, i: 2 })``,
``MinKey``/``MaxKey``, ``/regex/i``). Numbers in numeric wrappers become numbers, every other wrapper
becomes its single argument, bare words other than JSON's become strings. The result maps each
output character back to its input offset so that JSON errors can point at the input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from dbexpert.model import InputError

_NUMERIC = frozenset({"NumberLong", "NumberInt", "NumberDecimal", "Long", "Int32", "Double", "Decimal128"})
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_LITERALS = {"true": "true", "false": "false", "null": "null", "undefined": "null", "NaN": "NaN", "Infinity": "Infinity"}


@dataclass(frozen=True, slots=True)
class Relaxed:
    text: str  # strict JSON
    origin: tuple[int, ...]  # input offset of each character of ``text`` (plus one past the end)


def to_strict_json(source: str, path: str) -> Relaxed:
    """Rewrite ``source`` (JSON or mongosh output) as strict JSON; unterminated strings are errors."""
    out: list[str] = []  # output pieces
    starts: list[int] = []  # the input offset of each piece
    depth = 0  # open "(" of constructor calls, whose ")" are dropped

    def emit(text: str, at: int) -> None:
        out.append(text)
        starts.append(at)

    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char in "\"'":
            value, end = _string(source, i, path)
            emit(json.dumps(value), i)
            i = end
        elif char in "}]":
            _drop_trailing_comma(out, starts)
            emit(char, i)
            i += 1
        elif char == "(" or (char == ")" and depth):
            depth += 1 if char == "(" else -1
            i += 1
        elif char == "/" and _value_expected(out):
            end = _regex_end(source, i, path)
            emit(json.dumps(source[i:end]), i)
            i = end
        elif (word := _WORD.match(source, i)) is not None:
            i = _word(source, word, emit, path)
        elif (number := _NUMBER.match(source, i)) is not None and (char != "-" or source[i + 1 : i + 2] != "I"):
            emit(number.group(0).lstrip("+"), i)
            i = number.end()
        else:
            emit(char, i)
            i += 1
    origin = [at for piece, at in zip(out, starts, strict=True) for _ in piece]
    origin.append(n)
    return Relaxed(text="".join(out), origin=tuple(origin))


def _word(source: str, word: re.Match[str], emit: Callable[[str, int], None], path: str) -> int:
    """Handle a bare word at ``word``: a key, a literal, ``new``, or a BSON constructor."""
    name, end = word.group(0), word.end()
    after = _skip_space(source, end)
    if source[after : after + 1] == ":":
        emit(json.dumps(name), word.start())
        return end
    if name == "new":
        return after
    if source[after : after + 1] == "(" and name in _NUMERIC:
        close = source.find(")", after)
        if close < 0:
            line, column = position(source, after)
            raise InputError(f"{path}:{line}:{column}: unterminated {name}(...)")
        argument = source[after + 1 : close].strip().strip("\"'")
        emit(argument if _NUMBER.fullmatch(argument) else json.dumps(argument), word.start())
        return close + 1
    if source[after : after + 1] == "(":
        matching = _close(source, after)
        if matching is not None and "," in _outside_strings(source[after + 1 : matching]):
            # Timestamp(1700000000, 1), BinData(0, "...") stand for no single JSON value: keep the text.
            emit(json.dumps(" ".join(source[word.start() : matching + 1].split())), word.start())
            return matching + 1
        return after  # the wrapper's argument stands for it; the "(" and ")" are dropped
    emit(_LITERALS.get(name) or json.dumps(name), word.start())
    return end


def _string(source: str, start: int, path: str) -> tuple[str, int]:
    """A string's value and the offset after it; mongosh splits long strings as ``'a' +\n 'b'``."""
    parts: list[str] = []
    while True:
        end = _string_end(source, start, path)
        parts.append(_unquote(source[start + 1 : end], source[start]))
        after = _skip_space(source, end + 1)
        if source[after : after + 1] != "+":
            return "".join(parts), end + 1
        following = _skip_space(source, after + 1)
        if source[following : following + 1] not in ("'", '"'):
            return "".join(parts), end + 1
        start = following


def _close(source: str, opening: int) -> int | None:
    """The offset of the ``)`` matching the ``(`` at ``opening`` (None when there is none)."""
    depth, i = 0, opening
    while i < len(source):
        char = source[i]
        if char in "\"'":
            i = source.find(char, i + 1)
            if i < 0:
                return None
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _outside_strings(text: str) -> str:
    return re.sub(r"'[^']*'|\"[^\"]*\"|\{.*\}|\[.*\]", "", text, flags=re.S)


def _string_end(source: str, start: int, path: str) -> int:
    quote, i = source[start], start + 1
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == quote:
            return i
        if source[i] == "\n":
            break
        i += 1
    line, column = position(source, start)
    raise InputError(f"{path}:{line}:{column}: unterminated string")


def _unquote(body: str, quote: str) -> str:
    """The value of a JavaScript string body (escapes as JSON has them, plus ``\\'``)."""
    if quote == "'":
        # In JavaScript \' and \" both stand for the quote; a bare " needs escaping in JSON.
        body = re.sub(r'\\(.)|"', lambda m: '\\"' if m.group(1) in (None, '"') else m.group(0).replace("\\'", "'"), body)
    try:
        value = json.loads(f'"{body}"')
    except json.JSONDecodeError:
        return body
    return str(value)


def _regex_end(source: str, start: int, path: str) -> int:
    i = start + 1
    while i < len(source) and source[i] != "\n":
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == "/":
            i += 1
            while i < len(source) and source[i].isalpha():
                i += 1
            return i
        i += 1
    line, column = position(source, start)
    raise InputError(f"{path}:{line}:{column}: unterminated regular expression")


def _value_expected(out: list[str]) -> bool:
    last = next((piece.rstrip() for piece in reversed(out) if piece.strip()), "")
    return last[-1:] in (":", ",", "[")


def _drop_trailing_comma(out: list[str], starts: list[int]) -> None:
    """JavaScript allows ``[1, 2,]``; JSON does not."""
    for index in range(len(out) - 1, -1, -1):
        if out[index].strip():
            if out[index] == ",":
                del out[index], starts[index]
            return


def _skip_space(source: str, i: int) -> int:
    while i < len(source) and source[i] in " \t\r\n":
        i += 1
    return i


def position(source: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` in ``source``."""
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1
