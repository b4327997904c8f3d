"""What the readers of Python and TypeScript migrations share: SQL text laid out on source lines.

A code migration becomes a SQL script whose statements start on the line of the call they come
from (``op.create_index(...)``, ``migrations.AddField(...)``, ``queryRunner.query(...)``), so a
finding points into the migration file. ``# dbexpert: ignore[...]`` and ``// dbexpert: ...``
comments of the source are carried over as ``-- dbexpert: ...`` on the same line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dbexpert.model.migration import MigrationScript

_SIMPLE = re.compile(r"^[a-z_][a-z0-9_$]*$")
# Words PostgreSQL reserves (as column or table names they must be quoted).
_RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric authorization binary both case cast check
    collate collation column concurrently constraint create cross current_catalog current_date
    current_role current_schema current_time current_timestamp current_user default deferrable desc
    distinct do else end except false fetch for foreign freeze from full grant group having ilike in
    initially inner intersect into is isnull join lateral leading left like limit localtime
    localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
    references returning right select session_user similar some symmetric system_user table
    tablesample then to trailing true union unique user using variadic verbose when where window
    with""".split()
)
_SUPPRESSION = re.compile(r"(?:#|//)\s*(dbexpert:\s*ignore(?:-file)?\s*\[[^\]]*\])")


class NotUnderstood(Exception):
    """A call whose SQL cannot be told from the source alone (dynamic values, helpers, loops)."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """SQL statements (each ending with ``;``) that start on ``line`` of the source file."""

    line: int
    sql: str


def ident(name: str) -> str:
    return name if _SIMPLE.match(name) and name not in _RESERVED else '"' + name.replace('"', '""') + '"'


def qualified(name: str, schema: str | None = None) -> str:
    return f"{ident(schema)}.{ident(name)}" if schema else ident(name)


def literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def column_list(names: Iterable[str]) -> str:
    return ", ".join(ident(n) for n in names)


def suppressions(source: str) -> dict[int, str]:
    """``dbexpert: ignore[...]`` comments of a Python or TypeScript file, by line."""
    found: dict[int, str] = {}
    for number, text in enumerate(source.splitlines(), start=1):
        match = _SUPPRESSION.search(text)
        if match:
            found[number] = "-- " + match.group(1)
    return found


def within(comments: Mapping[int, str], first: int, last: int) -> dict[int, str]:
    """The comments of lines ``first`` to ``last`` (one function), and every ``ignore-file``."""
    return {n: c for n, c in comments.items() if first <= n <= last or "ignore-file" in c}


def script(path: str, chunks: Iterable[Chunk], comments: Mapping[int, str] = {}) -> MigrationScript:
    """The chunks laid out so each starts on its line (or the next free line when an earlier chunk
    already runs past it: the order of the chunks is the order of execution)."""
    lines: list[str] = []  # lines[i] is line i + 1 of the file
    open_ends: set[int] = set()  # lines a comment may be appended to (not inside a literal)
    for chunk in chunks:
        parts = chunk.sql.split("\n")
        if lines and len(lines) == chunk.line and lines[-1].strip() and len(lines) in open_ends:
            lines[-1] += " " + parts[0] if parts[0] else ""
        else:
            while len(lines) < chunk.line - 1:
                lines.append("")
            lines.append(parts[0])
        lines.extend(parts[1:])
        open_ends.add(len(lines))
    for number, comment in sorted(comments.items()):
        while len(lines) < number:
            lines.append("")
        if not lines[number - 1].strip():
            lines[number - 1] = comment
        elif number in open_ends:
            lines[number - 1] += "  " + comment
    offset = 0
    while offset < len(lines) and not lines[offset].strip():
        offset += 1
    text = "\n".join(lines[offset:])
    return MigrationScript(path, text + "\n" if text else "", line_offset=offset)
