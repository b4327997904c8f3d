"""PostgreSQL's ``log_line_prefix`` compiled into a regular expression.

Every escape of the setting (PostgreSQL 12–17 documentation, "Error Reporting and Logging") gets a
pattern; escapes with a numeric padding (``%-10u``, ``%5p``) are padded with blanks by the server, so
their pattern tolerates blanks around the value. ``%q`` ends the prefix for processes without a
session (checkpointer, autovacuum launcher...): everything after it becomes optional. The compiled
pattern also captures the severity and the message that follow the prefix, so one ``match`` per
line tells both who logged it and what.

The same prefix is also compiled into a list of tokens (a literal, or an escape's kind) for the
optional C splitter (``_rows.entries``), which gives what the block regex's ``findall`` gives
(:func:`block_splitter`); prefixes it does not follow (padded escapes) keep the regex.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from dbexpert.model import InputError
from dbexpert.native import accelerator

_TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: ?[A-Za-z][\w/+-]*| ?[+-]\d\d(?::?\d\d)?)?"
_MILLIS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}(?: ?[A-Za-z][\w/+-]*| ?[+-]\d\d(?::?\d\d)?)?"

# The C splitter's token kinds (the enum of _rows.c, in its order): a literal, a lazy field ending at
# the literal after it (any text, or no blank), then escapes with a fixed pattern.
LIT, LAZY_LINE, LAZY_NOSPACE, DIGITS_PLUS, DIGITS_STAR, SIGNED, STAMP, MILLIS, EPOCH, SQLSTATE, SESSION, VXID, CLIENT = (
    range(13)
)

# escape -> (group name or None, pattern, token kind). Free-text values are lazy: the literal text
# that follows them in the prefix (or the severity) decides where they end.
ESCAPES: dict[str, tuple[str | None, str, int]] = {
    "a": ("application", r".*?", LAZY_LINE),
    "u": ("user", r".*?", LAZY_LINE),
    "d": ("database", r".*?", LAZY_LINE),
    "r": ("client", r"(?:\[local\]|[^\s(]*\(\d*\)|[^\s(]*)", CLIENT),
    "h": ("client", r"\S*?", LAZY_NOSPACE),
    "L": (None, r"\S*?", LAZY_NOSPACE),  # the server's local address (PostgreSQL 18)
    "b": (None, r".*?", LAZY_LINE),  # backend type, e.g. "client backend"
    "p": ("pid", r"\d+", DIGITS_PLUS),
    "P": (None, r"\d*", DIGITS_STAR),  # parallel group leader pid
    "t": ("timestamp", _TIMESTAMP, STAMP),
    "m": ("timestamp", _MILLIS, MILLIS),
    "n": ("epoch", r"\d+(?:\.\d+)?", EPOCH),
    "i": (None, r".*?", LAZY_LINE),  # command tag
    "e": (None, r"[0-9A-Z]{5}", SQLSTATE),
    "c": ("session", r"[0-9a-f]+\.[0-9a-f]+", SESSION),
    "l": (None, r"\d+", DIGITS_PLUS),
    "s": (None, _TIMESTAMP, STAMP),  # session start
    "v": ("vxid", r"(?:-?\d+/\d+)?", VXID),
    "x": ("xid", r"\d*", DIGITS_STAR),
    "Q": ("queryid", r"-?\d*", SIGNED),
}
FIELDS = (
    "timestamp",
    "epoch",
    "pid",
    "session",
    "user",
    "database",
    "application",
    "client",
    "xid",
    "vxid",
    "queryid",
)
SEVERITIES = (
    "LOG|ERROR|STATEMENT|DETAIL|HINT|CONTEXT|QUERY|LOCATION|WARNING|FATAL|PANIC|NOTICE|INFO|DEBUG[1-5]?"
)
_ESCAPE = re.compile(r"%(-?\d+)?(.)")

# Common defaults, tried in order when the prefix is not given: Debian and PostgreSQL >= 13 ship
# '%m [%p] ' (Debian adds '%q%u@%d '), pgBadger recommends the long form, RDS uses its own.
COMMON_PREFIXES = (
    "%m [%p] %q%u@%d ",
    "%m [%p] ",
    "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: user=%u,db=%d,app=%a,client=%h ",
    "%t:%r:%u@%d:[%p]:",
    "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: [%l-1] ",
    "%t [%p] ",
    "%m ",
    "%t ",
    "",
)


Token = tuple[int, str, str | None]  # kind, literal text (LIT), the group it captures


@dataclass(frozen=True, slots=True)
class CompiledPrefix:
    spec: str
    regex: re.Pattern[str]  # groups: the escapes' names, "severity" and "message"
    # The same prefix for the C splitter (everything after %q as if required: a line without it is
    # left to the regex); None for a prefix it does not follow.
    tokens: tuple[Token, ...] | None = None


def compile_prefix(spec: str) -> CompiledPrefix:
    """The regex for lines written with ``log_line_prefix = spec``."""
    parts: list[str] = []
    used: set[str] = set()
    optional_from: int | None = None
    tokens: list[Token] | None = []
    position = 0
    for match in _ESCAPE.finditer(spec):
        literal = spec[position : match.start()]
        parts.append(re.escape(literal))
        position = match.end()
        padding, letter = match.groups()
        if letter == "%":
            parts.append("%")
            tokens = _literal(tokens, literal + "%")
            continue
        tokens = _literal(tokens, literal)
        if letter == "q":
            optional_from = len(parts)
            continue
        if letter not in ESCAPES:
            raise InputError(f"log_line_prefix {spec!r}: unknown escape %{letter}")
        name, pattern, kind = ESCAPES[letter]
        if name is not None and name not in used:
            used.add(name)
            pattern = f"(?P<{name}>{pattern})"
        else:
            name = None
            pattern = f"(?:{pattern})"
        parts.append(rf" *{pattern} *" if padding else pattern)
        if tokens is not None:
            tokens = None if padding else [*tokens, (kind, "", name)]
    tokens = _literal(tokens, spec[position:])
    parts.append(re.escape(spec[position:]))
    if optional_from is not None:
        parts[optional_from:] = ["(?:" + "".join(parts[optional_from:]) + ")?"]
    body = "".join(parts)
    # Every field group exists, empty when the prefix lacks it: readers fetch all with one call.
    missing = "".join(f"(?P<{name}>)" for name in FIELDS if name not in used)
    regex = re.compile(rf"{missing}{body}(?P<severity>{SEVERITIES}):  ?(?P<message>.*)", re.S)
    return CompiledPrefix(spec, regex, None if tokens is None else tuple(tokens))


def _literal(tokens: list[Token] | None, text: str) -> list[Token] | None:
    """``tokens`` with ``text`` added to the literal they end with (or as a new one)."""
    if tokens is None or not text:
        return tokens
    if tokens and tokens[-1][0] == LIT:
        return [*tokens[:-1], (LIT, tokens[-1][1] + text, None)]
    return [*tokens, (LIT, text, None)]


def guess_prefix(lines: list[str]) -> CompiledPrefix:
    """The common prefix that matches most of ``lines`` (the first lines of a log)."""
    best: CompiledPrefix | None = None
    best_score = 0
    candidates = [line for line in lines if line and not line[0].isspace()]
    for spec in COMMON_PREFIXES:
        compiled = compile_prefix(spec)
        score = sum(1 for line in candidates if compiled.regex.match(line))
        # Longer specifications come first: a tie keeps the more informative one.
        if score > best_score:
            best, best_score = compiled, score
    return best or compile_prefix(COMMON_PREFIXES[0])


def block_regex(regex: re.Pattern[str]) -> re.Pattern[str]:
    """The line regex of :func:`compile_prefix` for text of many lines, each ending with ``\\n``: one
    match is either a message line with the tab-led lines continuing it (groups: the line regex's,
    then ``continued``, all of them from the first ``\\n`` on, and an empty ``other``), or any other
    line (``other``; the other groups empty). Free-text fields stop at line ends, which is where the
    line regex stops on a line alone, so both find the same fields."""
    pattern = regex.pattern
    head = pattern[: pattern.rindex("(?P<message>")].replace(".*?", "[^\\n]*?")
    return re.compile(
        rf"(?=[^\t\n]){head}(?P<message>[^\n]*)(?P<continued>(?:\n\t[^\n]*)*)\n|(?P<other>[^\n]*)\n"
    )


_rows = accelerator("dbexpert.sources.logs._rows")
_C_TOKENS = 64  # the most tokens (and groups) _rows.entries takes: MAX_TOKENS, MAX_GROUPS in _rows.c
# The severities in the order the regex tries them, DEBUG[1-5]? spelled out (the digit first: greedy).
_SEVERITY_NAMES = tuple(
    name
    for alternative in SEVERITIES.split("|")
    for name in (
        [*(alternative[:-6] + digit for digit in "12345"), alternative[:-6]]
        if alternative.endswith("[1-5]?")
        else [alternative]
    )
)


def block_splitter(prefix: CompiledPrefix) -> tuple[re.Pattern[str], Callable[[str], list[tuple[str, ...]]]]:
    """The block regex of ``prefix`` and what splits text of whole lines (each ending with a line feed,
    no carriage return) into its entries: the regex's ``findall``, or the same in C."""
    block = block_regex(prefix.regex)
    program = _program(prefix, block)
    if _rows is None or program is None:
        return block, block.findall
    entries = _rows.entries
    return block, lambda text: entries(text, program, block)


def _program(prefix: CompiledPrefix, block: re.Pattern[str]) -> tuple[object, ...] | None:
    """``prefix``'s tokens as ``_rows.entries`` reads them, with the block regex's group indexes."""
    tokens = prefix.tokens
    if tokens is None or "\n" in prefix.spec or len(tokens) > _C_TOKENS or block.groups > _C_TOKENS:
        return None
    for at, (kind, _, _) in enumerate(tokens):
        if kind in (LAZY_LINE, LAZY_NOSPACE) and (at + 1 == len(tokens) or tokens[at + 1][0] != LIT):
            return None  # a lazy field must end where a literal begins
    index = block.groupindex
    program = tuple((kind, text, -1 if name is None else index[name] - 1) for kind, text, name in tokens)
    slots = (index["severity"] - 1, index["message"] - 1, index["continued"] - 1, index["other"] - 1)
    return (program, _SEVERITY_NAMES, block.groups, *slots)
