"""MySQL/MariaDB saved plans -> :class:`Plan`: ``EXPLAIN FORMAT=JSON`` (MySQL 5.7/8.0 and MariaDB),
MariaDB's ``ANALYZE FORMAT=JSON``, and MySQL 8's ``EXPLAIN FORMAT=TREE`` / ``EXPLAIN ANALYZE``.

The text may come as the mysql client printed it: a vertical ``*** 1. row ***`` header with an
``EXPLAIN:`` label, or the ``+---+`` table frame with ``| EXPLAIN |`` and ``| `` / `` |`` edges, and a
``1 row in set`` footer. That decoration is removed here, keeping every line's input number so
findings point at the node. The formats themselves are read by ``_mysql_json`` and ``_mysql_tree``.

Table accesses keep MySQL's access type in ``attrs["access_type"]`` (``ALL``, ``index``, ``range``,
``ref``, ``eq_ref``, ``const``, ...), TREE nodes included (``Table scan`` -> ``ALL``), so rules read
both formats alike. Sorts and temporary tables set ``attrs["using_filesort"]`` and
``attrs["using_temporary_table"]``.
"""

from __future__ import annotations

import re

from dbexpert.model import InputError
from dbexpert.model.plan import Plan

__all__ = ["parse_mysql_plan"]

_ROW_HEADER = re.compile(r"^\s*\*+\s*\d+\. row\s*\*+\s*$")
_FRAME = re.compile(r"^\s*\+[-+]+\+\s*$")
_TITLE = re.compile(r"^\s*\|\s*EXPLAIN\s*\|\s*$")
_FOOTER = re.compile(r"^\s*\d+ rows? in set\b")
_PROMPT = re.compile(r"^\s*(?:mysql|MariaDB \[[^\]]*\])>\s")
_LABEL = re.compile(r"^(\s*)EXPLAIN:\s?")


def parse_mysql_plan(text: str, path: str = "<stdin>") -> Plan:
    """Parse MySQL/MariaDB EXPLAIN output in JSON or TREE format, optionally as the client printed it."""
    lines = unwrap(text)
    first = next(((n, s) for n, s in lines if s.strip()), None)
    if first is None:
        raise InputError(f"{path}:1:1: no query plan found (expected EXPLAIN FORMAT=JSON or FORMAT=TREE output)")
    number, line = first
    body = line.lstrip()
    if body.startswith("{"):
        from dbexpert.sources.plans._mysql_json import parse_json

        return parse_json(lines, path)
    if body.startswith("->"):
        from dbexpert.sources.plans._mysql_tree import parse_tree

        return parse_tree(lines, path)
    column = len(line) - len(body) + 1
    raise InputError(
        f"{path}:{number}:{column}: expected a MySQL plan (FORMAT=JSON '{{' or FORMAT=TREE '-> '), "
        f"found {body[:30]!r}"
    )


def unwrap(text: str) -> list[tuple[int, str]]:
    """The plan's lines with their input line numbers, the mysql client's decoration removed."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    framed = any(_FRAME.match(line) for line in raw[:5])
    kept: list[tuple[int, str]] = []
    for number, line in enumerate(raw, start=1):
        if _ROW_HEADER.match(line) or _FRAME.match(line) or _TITLE.match(line) or _PROMPT.match(line):
            continue
        if _FOOTER.match(line):
            break
        line = _LABEL.sub(r"\1", line, count=1).rstrip()
        if framed:
            # Inside the frame the first line of the cell starts with "| " and the last ends with " |".
            stripped = line.strip()
            if stripped == "|":
                continue
            if stripped.startswith("| "):
                line = line.replace("| ", "", 1)
            if line.endswith(" |"):
                line = line[:-2].rstrip()
        kept.append((number, line))
    return kept
