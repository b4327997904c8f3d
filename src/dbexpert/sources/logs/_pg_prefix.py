"""PostgreSQL's ``log_line_prefix`` compiled into a regular expression.

Every escape of the setting (PostgreSQL 12–17 documentation, "Error Reporting and Logging") gets a
pattern; escapes with a numeric padding (``%-10u``, ``%5p``) are padded with blanks by the server, so
their pattern tolerates blanks around the value. ``%q`` ends the prefix for processes without a
session (checkpointer, autovacuum launcher...): everything after it becomes optional. The compiled
pattern also captures the severity and the message that follow the prefix, so one ``match`` per
line tells both who logged it and what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbexpert.model import InputError

_TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: ?[A-Za-z][\w/+-]*| ?[+-]\d\d(?::?\d\d)?)?"
_MILLIS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}(?: ?[A-Za-z][\w/+-]*| ?[+-]\d\d(?::?\d\d)?)?"

# escape -> (group name or None, pattern). Free-text values are lazy: the literal text that follows
# them in the prefix (or the severity) decides where they end.
ESCAPES: dict[str, tuple[str | None, str]] = {
    "a": ("application", r".*?"),
    "u": ("user", r".*?"),
    "d": ("database", r".*?"),
    "r": ("client", r"(?:\[local\]|[^\s(]*\(\d*\)|[^\s(]*)"),
    "h": ("client", r"\S*?"),
    "L": (None, r"\S*?"),  # the server's local address (PostgreSQL 18)
    "b": (None, r".*?"),  # backend type, e.g. "client backend"
    "p": ("pid", r"\d+"),
    "P": (None, r"\d*"),  # parallel group leader pid
    "t": ("timestamp", _TIMESTAMP),
    "m": ("timestamp", _MILLIS),
    "n": ("epoch", r"\d+(?:\.\d+)?"),
    "i": (None, r".*?"),  # command tag
    "e": (None, r"[0-9A-Z]{5}"),  # SQLSTATE
    "c": ("session", r"[0-9a-f]+\.[0-9a-f]+"),
    "l": (None, r"\d+"),
    "s": (None, _TIMESTAMP),  # session start
    "v": ("vxid", r"(?:-?\d+/\d+)?"),
    "x": ("xid", r"\d*"),
    "Q": ("queryid", r"-?\d*"),
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


@dataclass(frozen=True, slots=True)
class CompiledPrefix:
    spec: str
    regex: re.Pattern[str]  # groups: the escapes' names, "severity" and "message"


def compile_prefix(spec: str) -> CompiledPrefix:
    """The regex for lines written with ``log_line_prefix = spec``."""
    parts: list[str] = []
    used: set[str] = set()
    optional_from: int | None = None
    position = 0
    for match in _ESCAPE.finditer(spec):
        parts.append(re.escape(spec[position : match.start()]))
        position = match.end()
        padding, letter = match.groups()
        if letter == "%":
            parts.append("%")
            continue
        if letter == "q":
            optional_from = len(parts)
            continue
        if letter not in ESCAPES:
            raise InputError(f"log_line_prefix {spec!r}: unknown escape %{letter}")
        name, pattern = ESCAPES[letter]
        if name is not None and name not in used:
            used.add(name)
            pattern = f"(?P<{name}>{pattern})"
        else:
            pattern = f"(?:{pattern})"
        parts.append(rf" *{pattern} *" if padding else pattern)
    parts.append(re.escape(spec[position:]))
    if optional_from is not None:
        parts[optional_from:] = ["(?:" + "".join(parts[optional_from:]) + ")?"]
    body = "".join(parts)
    # Every field group exists, empty when the prefix lacks it: readers fetch all with one call.
    missing = "".join(f"(?P<{name}>)" for name in FIELDS if name not in used)
    regex = re.compile(rf"{missing}{body}(?P<severity>{SEVERITIES}):  ?(?P<message>.*)", re.S)
    return CompiledPrefix(spec, regex)


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
