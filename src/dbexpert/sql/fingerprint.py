"""Query shapes: the same statement with different literals gets the same fingerprint.

Literals of every kind become ``?`` — strings (with ``''`` and backslash escapes, ``E''``, dollar
quotes), numbers (signed, decimal, exponent, hex), booleans, ``NULL`` in value position, casts of
literals, bind parameters (``$1``, ``?``, ``:name``, ``%s``, ``%(name)s``) — and ``IN (…)`` lists,
``ARRAY[…]`` and multi-row ``VALUES`` of any length collapse to one element. Comments, whitespace
and keyword case do not matter; identifiers do (unquoted ones compare case-insensitively, as the
server folds them; quoted ones keep their case).

It is a text normalizer built from a few passes of compiled regular expressions, not a parser: logs
hold millions of statements, some truncated or not SQL at all, and every one must get a shape.
The id is the first 16 hex digits of a BLAKE2b hash of the normalized text: stable across runs and
machines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from hashlib import blake2b

from dbexpert.model import Engine
from dbexpert.native import accelerator

_c = accelerator("dbexpert.sql._skeleton")  # the fast path's passes in C (optional)


@dataclass(frozen=True, slots=True)
class Shape:
    id: str  # 16 hex digits, from the canonical text (no blanks around punctuation)
    text: str  # the normalized statement, readable: literals as ?, blanks collapsed (spacing as first seen)

    def __str__(self) -> str:
        return self.text


# Pass 1: strings, quoted identifiers and comments, in one scan so that each hides the others.
_STANDARD_STRING = r"[eEbBxXnN]?'(?:[^']|'')*'"  # PostgreSQL: backslashes are plain characters
_ESCAPE_STRING = r"(?:[eE]'(?:[^'\\]|''|\\.)*')"  # E'...' strings do escape
_BACKSLASH_STRING = (
    r"[bBxXnN]?'(?:[^'\\]|''|\\.)*'|\"(?:[^\"\\]|\"\"|\\.)*\""  # MySQL: '...' and "..." strings
)
_DOLLAR = r"\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$"
_COMMENTS = r"--[^\n]*|#[^\n]*|/\*.*?\*/"
_PG_SCAN = re.compile(
    rf"(?P<s>{_ESCAPE_STRING}|{_STANDARD_STRING}|{_DOLLAR})|(?P<q>\"(?:[^\"]|\"\")*\")|(?P<c>--[^\n]*|/\*.*?\*/)",
    re.S,
)
_MYSQL_SCAN = re.compile(rf"(?P<s>{_BACKSLASH_STRING})|(?P<q>`(?:[^`]|``)*`)|(?P<c>{_COMMENTS})", re.S)
_SQLITE_SCAN = re.compile(
    rf"(?P<s>{_STANDARD_STRING})|(?P<q>\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\[[^\]]*\])|(?P<c>--[^\n]*|/\*.*?\*/)",
    re.S,
)
_SCANNERS = {Engine.POSTGRES: _PG_SCAN, Engine.MYSQL: _MYSQL_SCAN, Engine.SQLITE: _SQLITE_SCAN}

# Pass 2 (on lower-cased text outside quoted identifiers): numbers, parameters, booleans, NULL.
_PARAMS = re.compile(r"\$\d+|%\(\w+\)s|%s|(?<![:\w]):[a-z_]\w*|\?")
_NUMBER = re.compile(
    r"(?<![\w$.\x00])(?:0x[0-9a-f]+|\d+\.?\d*(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?)(?![\w\x00])"
)
_BOOL = re.compile(r"\b(?:true|false)\b")
_NULL_VALUE = re.compile(r"(?<!\bis )(?<!\bis not )(?<!\bdistinct from )\bnull\b(?!\s*[(])")
_SIGN = re.compile(
    r"([=(,<>*/+\[-]|\b(?:and|or|select|values|in|when|then|else|between|return|interval|limit|offset|like))\s*-\s*\?"
)
_CAST = re.compile(r"\?(?:\s*::\s*[a-z_][\w.]*(?:\s*\([\d\s,]*\))?(?:\[\])*)+")
_CAST_CALL = re.compile(r"\bcast\(\s*\?\s+as\s+[^()]*?(?:\([\d\s,]*\))?\s*\)")
_TYPED_LITERAL = re.compile(
    r"\b(?:date|time|timestamp|timestamptz|interval|uuid|inet|json|jsonb|numeric)\s+\?"
    r"|\b(?:timestamp|time) with(?:out)? time zone\s+\?"
)
# Pass 3: lists of any length.
_LIST = re.compile(r"\((?:\s*\?\s*,)+\s*\?\s*\)")
_ARRAY = re.compile(r"\barray\s*\[\s*(?:\?\s*,\s*)*\?\s*\]")
_ROWS = re.compile(r"(\((?:[^()]|\([^()]*\))*\))(?:\s*,\s*\1)+")
_IN_LIST = re.compile(r"\bin\s*\(\s*(?:\?|\(\.\.\.\))\s*\)")
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r" ?([(),;=<>!+*/%|\[\]:-]) ?")


# The fast path. Logs with inline literals make nearly every statement text distinct, so caching on
# the text alone does not help; a few cheap C-level substitutions (strings, numbers, lists of them)
# turn the statement into a skeleton that repeats, and the full normalization runs once per
# skeleton. The skeleton replaces exactly what the full passes would replace, with the same text, so
# the result is identical — as long as nothing outside the strings changes how they are read: a
# comment, a quoted identifier, a dollar quote, an escape string with backslashes, an unterminated
# string. Those are looked for outside the strings, and take the full path from the original text.
# The same languages as the full passes' patterns, written as unrolled loops ("normal* (special
# normal*)*") and with a cheap look-ahead before the look-behind: the regex engine tries them at
# every position of millions of statements.
_QUICK_STRINGS = {
    # [eEbBxXnN]?'[^']*(?:''[^']*)*' with its first character as one class, which the regex
    # engine scans for in C before trying a match; the look-behind checks the quote was there.
    Engine.POSTGRES: re.compile(r"[eEbBxXnN'](?:(?<=')|')[^']*(?:''[^']*)*'"),
    # MySQL strings escape with backslashes, as the full pass reads them (a backslash escapes any
    # character, newlines included); a backslash left outside the strings takes the full path.
    Engine.MYSQL: re.compile(r"[bBxXnN]?'[^'\\]*(?:(?:''|\\.)[^'\\]*)*'", re.S),
    Engine.SQLITE: re.compile(r"[eEbBxXnN'](?:(?<=')|')[^']*(?:''[^']*)*'"),
}
# (?<![\w$.])(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)(?!\w) with its first
# character consumed first (a class scanned for in C), the look-behinds then checking what preceded
# it and which alternative it starts.
_QUICK_NUMBER = re.compile(
    r"[0-9.](?<![\w$.].)"
    r"(?:(?<=0)[xX][0-9a-fA-F]+|(?<=[0-9])\d*\.?\d*(?:[eE][-+]?\d+)?|(?<=\.)\d+(?:[eE][-+]?\d+)?)(?!\w)"
)
_QUICK_ARRAY = re.compile(r"[aA](?<!\w.)[rR][rR][aA][yY]\s*\[\s*(?:\?\s*,\s*)*\?\s*\]")  # \b[aA]...
# Outside strings (after the quick strings pass): then the full path reads the original text.
_TRICKY = {  # alternatives that each start with a literal: the regex engine scans for those in C
    Engine.POSTGRES: re.compile(r"\"|'|--|/\*|\$\$"),
    Engine.MYSQL: re.compile(r"\"|`|#|'|\\|--|/\*"),
    Engine.SQLITE: re.compile(r"\"|`|\[|'|--|/\*"),
}
_QUICK_ROWS = re.compile(
    r"([vV](?<!\w.)[aA][lL][uU][eE][sS]\s*)\(\.\.\.\)(?:\s*,\s*\(\.\.\.\))+"
)  # \b[vV]...
# NULL between an opening parenthesis or a comma and a comma or a closing one (blanks aside): a
# value, which the full pass makes ? there (no "is" before it, no parenthesis after it); so that
# VALUES rows and lists holding NULLs collapse in the skeleton too.
_QUICK_NULL = re.compile(r"([(,]\s*)[nN][uU][lL][lL](?=\s*[,)])")
_DOLLAR_TAG = re.compile(r"\$[A-Za-z_]\w*\$")
_NEW_PARAM = re.compile(r"\?:[A-Za-z_]")
_NEW_NUMBER = re.compile(r"\?\.\d")
# (?<![\w'])[eE]' found from its quote (a literal, scanned for in C; quotes are rarer than e).
_ESCAPE_PREFIX = re.compile(r"'(?<=[eE]')(?<![\w'][eE]')")


def fingerprint(sql: str, engine: Engine = Engine.POSTGRES) -> Shape:
    """The shape of ``sql`` (any text: a statement that does not parse still gets one)."""
    if engine is _POSTGRES:
        cache = _POSTGRES_CACHE
    else:
        cache = _MYSQL_CACHE if engine is _MYSQL else _cache_of(engine)
    find = cache.find
    if find is None:
        shape = cache.seen.get(sql)  # the same text again (extended-protocol statements repeat verbatim)
        if shape is not None:
            return shape
        return _settle(sql, engine, cache, NotImplemented)
    found = find(sql)
    return found if found.__class__ is Shape else _settle(sql, engine, cache, found)


def finder(engine: Engine) -> Callable[[str], object]:
    """For a loop over many statements of one engine: a function of a statement that gives its
    :class:`Shape` when its text or skeleton was seen before (nearly always, and with no Python step
    where the C pass is built), else what ``settle(sql, engine, found)`` turns into the Shape."""
    find = _cache_of(engine).find
    if find is not None:
        return find
    return fingerprint if engine is Engine.POSTGRES else partial(fingerprint, engine=engine)


def settle(sql: str, engine: Engine, found: object) -> Shape:
    """The Shape of ``sql`` from what :func:`finder`'s function gave for it."""
    return found if isinstance(found, Shape) else _settle(sql, engine, _cache_of(engine), found)


def _settle(sql: str, engine: Engine, cache: _Cache, skeleton: object) -> Shape:
    """The shape of a statement whose text ``cache`` has not seen, its skeleton known (a str, or
    None: take the full path) or not yet (NotImplemented)."""
    if skeleton is NotImplemented:
        skeleton = _quick_skeleton(sql, cache.strings, cache.tricky)
    key = skeleton if isinstance(skeleton, str) else sql
    shape = cache.shapes.get(key)
    if shape is None:
        shape = _fingerprint(key, engine)
        if len(cache.shapes) >= _SHAPES_LIMIT:
            cache.shapes.clear()
        cache.shapes[key] = shape
    if len(cache.seen) >= _SEEN_LIMIT:
        cache.seen.clear()  # a cheap bound: the skeletons' shapes still hold the shapes
    cache.seen[sql] = shape
    return shape


class _Cache:
    """One engine's passes and caches, found by identity: an enum member hashes in Python code,
    which would cost more than a cache hit."""

    __slots__ = ("find", "seen", "shapes", "strings", "tricky")

    def __init__(self, engine: Engine) -> None:
        self.seen: dict[str, Shape] = {}  # statement text -> shape (cleared in place, never replaced)
        self.shapes: dict[str, Shape] = {}  # skeleton (or text taking the full path) -> shape
        self.strings = _QUICK_STRINGS.get(engine)
        self.tricky = _TRICKY.get(engine)
        # Both caches looked up in C around the C skeleton (_FAST): the Shape, or the skeleton when it
        # is new.
        self.find: Callable[[str], object] | None = None
        if _c is not None and engine in _FAST:
            _c.bind(engine is Engine.MYSQL, self.seen, self.shapes, _SEEN_LIMIT)
            self.find = _c.mysql_find if engine is Engine.MYSQL else _c.pg_find


def _cache_of(engine: Engine) -> _Cache:
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches[engine] = _Cache(engine)
    return cache


_POSTGRES, _MYSQL = Engine.POSTGRES, Engine.MYSQL
# The same skeleton as _quick_skeleton, in C; NotImplemented where it leaves the decision to it.
_FAST = {} if _c is None else {_POSTGRES: _c.pg_skeleton, _MYSQL: _c.mysql_skeleton}
_caches: dict[Engine, _Cache] = {}
_SEEN_LIMIT = 16384
_SHAPES_LIMIT = 65536
_POSTGRES_CACHE, _MYSQL_CACHE = _cache_of(_POSTGRES), _cache_of(_MYSQL)


def _skeleton(sql: str, engine: Engine) -> str | None:
    """The statement with its literals replaced as the full passes would, or None when tricky."""
    fast = _FAST.get(engine)
    skeleton = NotImplemented if fast is None else fast(sql)
    if skeleton is not NotImplemented:
        return skeleton
    cache = _cache_of(engine)
    return _quick_skeleton(sql, cache.strings, cache.tricky)


def _quick_skeleton(sql: str, strings: re.Pattern[str] | None, tricky: re.Pattern[str] | None) -> str | None:
    if strings is None or tricky is None or "\x00" in sql:
        return None
    if "\\" in sql and _ESCAPE_PREFIX.search(sql):  # E'...' strings where a backslash escapes a quote
        return None
    if "'" in sql:
        sql = strings.sub(" ? ", sql)
    if tricky.search(sql):
        return None
    if "$" in sql and _DOLLAR_TAG.search(sql):
        return None
    sql = _QUICK_NUMBER.sub("?", sql)
    if ":" in sql and _NEW_PARAM.search(sql):  # '1:name' is no parameter, '?:name' would become one
        return None
    if "?." in sql and _NEW_NUMBER.search(sql):  # '1.2.3': the full pass reads '.3' once, not twice
        return None
    if "[" in sql:
        sql = _QUICK_ARRAY.sub("array[...]", sql)
    if "(" not in sql:
        return sql
    if "ll" in sql or "LL" in sql or "lL" in sql or "Ll" in sql:
        sql = _QUICK_NULL.sub(r"\1?", sql)
    sql = _LIST.sub("(...)", sql)
    return _QUICK_ROWS.sub(r"\1(...)", sql) if "), (" in sql or "),(" in sql else sql


@lru_cache(maxsize=65536)
def _fingerprint(sql: str, engine: Engine) -> Shape:
    readable = _normalize(sql, engine)
    canonical = _PUNCT.sub(r"\1", readable)
    digest = blake2b(canonical.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return Shape(digest, readable)


def normalize(sql: str, engine: Engine = Engine.POSTGRES) -> str:
    """The canonical text behind a fingerprint (no blanks around punctuation)."""
    return _PUNCT.sub(r"\1", _normalize(sql, engine))


def _normalize(sql: str, engine: Engine) -> str:
    quoted: list[str] = []

    def hide(match: re.Match[str]) -> str:
        if match.group("s") is not None:
            return " ? "
        if match.group("c") is not None:
            return " "
        quoted.append(match.group("q"))
        return f"\x00{len(quoted) - 1}\x00"

    text = _SCANNERS.get(engine, _PG_SCAN).sub(hide, sql).lower()
    text = _PARAMS.sub("?", text)
    text = _NUMBER.sub("?", text)
    text = _BOOL.sub("?", text)
    text = _SPACE.sub(" ", text)
    text = _NULL_VALUE.sub("?", text)
    text = _SIGN.sub(r"\1 ?", text)
    text = _CAST.sub("?", text)
    text = _CAST_CALL.sub("?", text)
    text = _TYPED_LITERAL.sub("?", text)
    text = _ARRAY.sub("array[...]", text)
    text = _LIST.sub("(...)", text)
    text = _ROWS.sub(r"\1", text)
    text = _IN_LIST.sub("in (...)", text).strip(" ;")
    if quoted:
        text = re.sub("\x00(\\d+)\x00", lambda m: quoted[int(m.group(1))], text)
    return text
