"""SQLite ``EXPLAIN QUERY PLAN`` output -> :class:`Plan`, in the forms people paste.

- the sqlite3 shell's tree: ``QUERY PLAN`` then ``|--SCAN t`` / ```--SEARCH u USING INDEX i (a=?)``,
  children indented by ``|  `` or three spaces;
- the raw rows ``id|parent|notused|detail`` (``.mode list``), the same as columns (``.mode column``,
  with or without the header and its dashes), or as Python prints the tuples ``(2, 0, 0, 'SCAN t')``;
- the wording before SQLite 3.24: ``selectid|order|from|detail`` rows, ``SCAN TABLE t AS a``,
  ``SEARCH TABLE t USING ...``, ``EXECUTE CORRELATED SCALAR SUBQUERY 1`` (whose rows carry the
  subquery's number as their ``selectid``).

A leading ``sqlite> EXPLAIN QUERY PLAN <query>;`` line (and its ``...>`` continuations) is kept in
``Plan.attrs["query"]``: EXPLAIN QUERY PLAN itself never shows which columns a query filters on.
The nodes hang below one synthetic ``QUERY PLAN`` root because the output has several top-level
loops, listed outermost first. EXPLAIN QUERY PLAN has no row counts or costs.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dbexpert.model import Engine, InputError
from dbexpert.model.plan import Plan, PlanNode

_PROMPT = re.compile(r"^\s*(?:sqlite>\s*)?(?:EXPLAIN\s+QUERY\s+PLAN\b\s*)(?P<query>.*)$", re.I)
_OTHER_PROMPT = re.compile(r"^\s*(?:sqlite|\.\.\.)>")
_CONTINUATION = re.compile(r"^\s*\.\.\.>\s?(?P<query>.*)$")
_HEADER = re.compile(r"^\s*(?:QUERY PLAN|(?:id|selectid)\s*[|\s]\s*(?:parent|order)\s*[|\s]\s*\w+\s*[|\s]\s*detail)\s*$")
_DASHES = re.compile(r"^[\s\-|+]*-{2,}[\s\-|+]*$")
_TREE = re.compile(r"^(?P<prefix>(?:[|`] {2}| {3})*)(?P<branch>[|`]--)(?P<detail>.*)$")
_ROW = re.compile(r"^\s*(?P<id>\d+)\s*(?:\||\s)\s*(?P<parent>\d+)\s*(?:\||\s)\s*(?P<unused>\d+)\s*(?:\||\s)\s*(?P<detail>\S.*)$")
_PY_ROW = re.compile(r"^\s*\(\s*(\d+),\s*(\d+),\s*(\d+),\s*(?P<detail>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*\),?\s*$")
_LOOP = re.compile(
    r"^(?P<verb>SCAN|SEARCH)\s+(?:(?:TABLE|SUBQUERY)\s+)?(?P<rel>[^\s(]+)(?:\s+AS\s+(?P<alias>\S+))?"
    r"(?:\s+(?:USING\s+)?(?P<using>AUTOMATIC\s+(?:PARTIAL\s+)?(?:COVERING\s+)?INDEX|COVERING\s+INDEX\s+\S+"
    r"|INDEX\s+\S+|INTEGER\s+PRIMARY\s+KEY|PRIMARY\s+KEY))?"
    r"(?:\s+\((?P<cond>.*)\))?(?P<rest>.*)$"
)
_TEMP = re.compile(r"^USE TEMP B-TREE FOR (?P<purpose>.+)$")
_SUBQUERY = re.compile(r"^(?:EXECUTE\s+)?(?P<kind>(?:CORRELATED\s+)?(?:SCALAR|LIST)\s+SUBQUERY)(?:\s+(?P<number>\d+))?$")
_NAMED = re.compile(r"^(?P<kind>CO-ROUTINE|MATERIALIZE)\s+(?P<name>\S+)")
_BLOOM = re.compile(r"^BLOOM FILTER ON (?P<rel>\S+)(?:\s+\((?P<cond>.*)\))?$")
_LEGACY = re.compile(r"^(?:(?:SCAN|SEARCH)\s+(?:TABLE|SUBQUERY)\s|EXECUTE\s)")
_VERB = re.compile(r"^[A-Z][A-Z-]*(?:\s+[A-Z][A-Z-]*)*")


@dataclass
class _Row:
    line: int
    column: int
    detail: str
    key: int = 0  # the row's id (its selectid in the pre-3.24 rows)
    parent: int = 0
    children: list[_Row] = field(default_factory=list)


def parse_sqlite_plan(text: str, path: str = "<stdin>") -> Plan:
    """Read EXPLAIN QUERY PLAN output (shell tree, rows or columns, any SQLite version)."""
    query_parts: list[str] = []
    header_line: int | None = None
    tree: list[tuple[int, int, _Row]] = []  # (depth, line, row)
    rows: list[_Row] = []
    continuing = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        if continuing:
            more = _CONTINUATION.match(line)
            if more:
                query_parts.append(more.group("query"))
                continuing = not more.group("query").rstrip().endswith(";")
                continue
            continuing = False
        prompt = _PROMPT.match(line)
        if prompt and not (tree or rows):
            query_parts = [prompt.group("query")]
            continuing = not line.rstrip().endswith(";")
            continue
        if _OTHER_PROMPT.match(line) and not (tree or rows):
            continue  # another statement of the pasted shell session (CREATE INDEX ...)
        if _HEADER.match(line) or (_DASHES.match(line) and not (tree or rows)):
            header_line = header_line or number
            continue
        if match := _TREE.match(line):
            if rows:
                raise InputError(f"{path}:{number}:1: a plan tree line among plan rows")
            depth = len(match.group("prefix")) // 3
            detail = match.group("detail").strip()
            tree.append((depth, number, _Row(number, match.start("detail") + 1, detail)))
            continue
        if (row := _PY_ROW.match(line)) or (row := _ROW.match(line)):
            if tree:
                raise InputError(f"{path}:{number}:1: a plan row among plan tree lines")
            detail = row.group("detail")
            if row.re is _PY_ROW:
                try:
                    detail = ast.literal_eval(detail)
                except (SyntaxError, ValueError):
                    raise InputError(f"{path}:{number}:{row.start('detail') + 1}: malformed string {detail[:40]}") from None
            key, parent = int(row.group(1)), int(row.group(2))
            rows.append(_Row(number, row.start("detail") + 1, detail.strip(), key, parent))
            continue
        column = len(line) - len(line.lstrip()) + 1
        raise InputError(
            f"{path}:{number}:{column}: expected an EXPLAIN QUERY PLAN line "
            f"(`|--DETAIL` or `id|parent|notused|detail`), found {line.strip()[:40]!r}"
        )
    if not tree and not rows:
        raise InputError(f"{path}:1:1: no EXPLAIN QUERY PLAN output found (`QUERY PLAN` / `|--SCAN t` lines)")
    top = _nest_tree(tree, path) if tree else _nest_rows(rows)
    root_line = header_line or (tree[0][1] if tree else rows[0].line)
    root = PlanNode(
        node_type="QUERY PLAN",
        line=root_line,
        children=tuple(_node(row, path) for row in top),
    )
    query = " ".join(part.strip() for part in query_parts).strip().rstrip(";").strip()
    attrs: dict[str, Any] = {"query": query} if query else {}
    if rows and _legacy(rows):
        attrs["legacy"] = True
    return Plan(root=root, path=path, format="eqp", engine=Engine.SQLITE, attrs=MappingProxyType(attrs))


def _nest_tree(tree: list[tuple[int, int, _Row]], path: str) -> list[_Row]:
    top: list[_Row] = []
    stack: list[_Row] = []  # the open ancestors, one per depth
    for depth, number, row in tree:
        if depth > len(stack):
            raise InputError(f"{path}:{number}:{depth * 3 + 1}: plan line indented deeper than its parent")
        del stack[depth:]
        (stack[-1].children if stack else top).append(row)
        stack.append(row)
    return top


def _nest_rows(rows: list[_Row]) -> list[_Row]:
    if _legacy(rows):
        return _nest_legacy(rows)
    by_id = {row.key: row for row in rows}
    top: list[_Row] = []
    for row in rows:
        parent = by_id.get(row.parent) if row.parent != row.key else None
        (parent.children if parent is not None else top).append(row)
    return top


def _legacy(rows: list[_Row]) -> bool:
    """Pre-3.24 rows: ``selectid|order|from|detail`` with ``SCAN TABLE`` wording; ids repeat."""
    return any(_LEGACY.match(row.detail) for row in rows) or len({row.key for row in rows}) < len(rows)


def _nest_legacy(rows: list[_Row]) -> list[_Row]:
    """Rows of subquery N (selectid N) go below the ``EXECUTE ... SUBQUERY N`` row that runs them."""
    owners: dict[int, _Row] = {}
    top: list[_Row] = []
    for row in rows:
        owner = owners.get(row.key) if row.key else None
        (owner.children if owner is not None else top).append(row)
        sub = _SUBQUERY.match(row.detail)
        if sub and sub.group("number"):
            owners[int(sub.group("number"))] = row
    return top


def _node(row: _Row, path: str) -> PlanNode:
    values = _detail(row.detail, row.line, row.column, path)
    attrs = {"detail": row.detail, **values.pop("attrs", {})}
    children = tuple(_node(child, path) for child in row.children)
    return PlanNode(line=row.line, children=children, attrs=MappingProxyType(attrs), **values)


def _detail(detail: str, line: int, column: int, path: str) -> dict[str, Any]:
    """The node fields one detail string gives: verb, table, index and constraint."""
    if detail.count("(") != detail.count(")"):
        where = column + (detail.find("(") if "(" in detail else len(detail))
        raise InputError(f"{path}:{line}:{where}: unbalanced parentheses in {detail[:60]!r} (truncated?)")
    if detail.startswith("SCAN CONSTANT ROW"):
        return {"node_type": "SCAN", "attrs": {"constant_row": True}}
    if loop := _LOOP.match(detail):
        return _loop(loop)
    if temp := _TEMP.match(detail):
        purpose = temp.group("purpose")
        kind = next((k for k in ("ORDER BY", "GROUP BY", "DISTINCT") if purpose.endswith(k)), purpose)
        return {"node_type": "USE TEMP B-TREE", "attrs": {"purpose": kind, "for": purpose}}
    if sub := _SUBQUERY.match(detail):
        number = sub.group("number")
        return {
            "node_type": " ".join(sub.group("kind").split()),
            "attrs": {"subquery": int(number)} if number else {},
        }
    if named := _NAMED.match(detail):
        return {"node_type": named.group("kind"), "relation": named.group("name")}
    if bloom := _BLOOM.match(detail):
        return {"node_type": "BLOOM FILTER", "relation": bloom.group("rel"), "index_cond": bloom.group("cond")}
    verb = _VERB.match(detail)
    if verb is None:
        raise InputError(f"{path}:{line}:{column}: expected an EXPLAIN QUERY PLAN detail, found {detail[:40]!r}")
    return {"node_type": verb.group(0).strip()}


def _loop(loop: re.Match[str]) -> dict[str, Any]:
    using = " ".join((loop.group("using") or "").split())
    attrs: dict[str, Any] = {}
    index_name: str | None = None
    if using.startswith("AUTOMATIC"):
        index_name = using
        attrs["automatic"] = True
        attrs["partial"] = "PARTIAL" in using
    elif using.startswith("COVERING INDEX"):
        index_name = using.split()[-1]
        attrs["covering"] = True
    elif using.startswith("INDEX"):
        index_name = using.split()[-1]
    elif using:
        index_name = using  # "INTEGER PRIMARY KEY" / "PRIMARY KEY" (WITHOUT ROWID tables)
        attrs["primary_key"] = True
    rest = loop.group("rest").strip()
    if rest:
        attrs["rest"] = rest
    return {
        "node_type": loop.group("verb"),
        "relation": loop.group("rel"),
        "alias": loop.group("alias"),
        "index_name": index_name,
        "index_cond": loop.group("cond"),
        "attrs": attrs,
    }
