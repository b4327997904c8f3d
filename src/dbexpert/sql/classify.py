"""What one statement given to ``explain`` is: a read, a write, or something EXPLAIN must not run.

``EXPLAIN ANALYZE`` executes the statement, so the caller needs to know, before sending anything,
whether the statement only reads (SELECT, WITH, VALUES, TABLE) or changes rows (INSERT, UPDATE,
DELETE, MERGE, a data-modifying WITH, or a SELECT ... FOR UPDATE that locks them). Everything else
(DDL, SELECT INTO, transaction control, several statements) is refused here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dbexpert.model import Engine, InputError
from dbexpert.sql.parse import Statement, split_statements

_EXPECTED = "one SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE or MERGE statement"
_PG_WRITES = {"InsertStmt": "INSERT", "UpdateStmt": "UPDATE", "DeleteStmt": "DELETE", "MergeStmt": "MERGE"}


@dataclass(frozen=True, slots=True)
class ExplainableStatement:
    """One statement EXPLAIN may be run on, as written (without its trailing semicolon)."""

    text: str
    verb: str  # SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE, MERGE
    writes: bool  # changes or locks rows when executed (ANALYZE)
    line: int  # where the statement starts in the user's text
    column: int
    path: str = "<sql>"
    tables: tuple[str, ...] = ()  # tables it names (MySQL and SQLite only), as written

    def where(self, offset: int = 0) -> str:
        """``path:line:column`` of a character offset into :attr:`text` (for server error positions)."""
        offset = max(0, min(offset, len(self.text)))
        before = self.text[:offset]
        newlines = before.count("\n")
        column = offset - before.rfind("\n") if newlines else self.column + offset
        return f"{self.path}:{self.line + newlines}:{column}"


def explainable_statement(text: str, engine: Engine, path: str = "<sql>") -> ExplainableStatement:
    """Classify the single statement in ``text``; syntax errors and anything else raise InputError."""
    statements = split_statements(text, engine, path)
    if not statements:
        raise InputError(f"{path}:1:1: expected {_EXPECTED}, got no statement")
    if len(statements) > 1:
        second = statements[1]
        raise InputError(
            f"{path}:{second.line}:{second.column}: expected {_EXPECTED}, got a second statement"
        )
    statement = statements[0]
    if engine is Engine.POSTGRES:
        return _postgres(statement)
    return _glot(statement)


def _refuse(statement: Statement, what: str) -> InputError:
    return InputError(
        f"{statement.path}:{statement.line}:{statement.column}: expected {_EXPECTED}, got {what}"
    )


def _postgres(statement: Statement) -> ExplainableStatement:
    from dbexpert.sql.pg_tree import parse_json

    raw = parse_json(statement.text)[0]["stmt"]
    kind, node = next(iter(raw.items()))
    writes = any(key in _PG_WRITES for key in _keys(node))
    if kind == "SelectStmt":
        if node.get("intoClause"):
            raise _refuse(statement, "SELECT INTO (it creates a table)")
        verb = _read_verb(statement.text)
        locks = any(key == "lockingClause" for key in _keys(node))
        return _explainable(statement, verb, writes or locks)
    if kind in _PG_WRITES:
        return _explainable(statement, _PG_WRITES[kind], True)
    words = statement.text.split(None, 2)[:2]
    raise _refuse(statement, " ".join(words).upper() or kind)


def _keys(value: Any) -> Iterator[str]:
    """Every key of a libpg_query JSON tree, depth first (subqueries and CTEs included)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield from item.keys()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _glot(statement: Statement) -> ExplainableStatement:
    from sqlglot import exp

    node = statement.tree.node if statement.tree else None
    writes_types = (exp.Insert, exp.Update, exp.Delete, exp.Merge)
    tables = tuple(dict.fromkeys(_table_name(t) for t in node.find_all(exp.Table))) if node else ()
    if isinstance(node, writes_types):
        verb = type(node).__name__.upper()
        return _explainable(statement, verb, True, tables)
    if isinstance(node, exp.Select | exp.SetOperation | exp.Values):
        verb = _read_verb(statement.text)
        writes = node.find(*writes_types) is not None or bool(node.find(exp.Lock))
        return _explainable(statement, verb, writes, tables)
    words = statement.text.split(None, 2)[:2]
    raise _refuse(statement, " ".join(words).upper() or "nothing")


def _read_verb(text: str) -> str:
    first = text.lstrip("( \t\r\n").split(None, 1)[0].upper()
    return first if first in ("WITH", "VALUES", "TABLE") else "SELECT"


def _table_name(table: Any) -> str:
    return ".".join(part for part in (table.db, table.name) if part)


def _explainable(
    statement: Statement, verb: str, writes: bool, tables: tuple[str, ...] = ()
) -> ExplainableStatement:
    return ExplainableStatement(
        statement.text, verb, writes, statement.line, statement.column, statement.path, tables
    )
