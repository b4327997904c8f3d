"""EXPLAIN QUERY PLAN one statement on a live SQLite session, printed as the sqlite3 shell prints it.

``EXPLAIN QUERY PLAN`` only compiles the statement, never runs it, so writes are as safe as reads
(and the session is ``query_only`` besides). SQLite has no ANALYZE form that reports actual rows.
The rows (id, parent, notused, detail) become the shell's tree so the plan reader reads one format
whether the plan was pasted from the shell or fetched here, after the shell's prompt line with the
statement (on one line), which the reader keeps because the plan rows never show the filtered columns::

    sqlite> EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY a;
    QUERY PLAN
    |--SCAN t
    `--USE TEMP B-TREE FOR ORDER BY
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbexpert.engines.sqlite.connect import SqliteSession, StatementTimeout
from dbexpert.model import DbexpertError, InputError
from dbexpert.sql.classify import ExplainableStatement


def explain_plan(session: SqliteSession, statement: ExplainableStatement) -> str:
    """The plan of ``statement`` as the sqlite3 shell's ``.eqp``/``EXPLAIN QUERY PLAN`` tree."""
    try:
        rows = session.run("EXPLAIN QUERY PLAN " + statement.text)
    except StatementTimeout:
        raise
    except DbexpertError as exc:
        reason = str(exc).removeprefix(f"SQLite error on {session.path}: ")
        raise InputError(f"{statement.where()}: {reason}") from None
    return render_tree(rows, statement.text)


def render_tree(rows: Sequence[Sequence[Any]], query: str | None = None) -> str:
    """The shell's rendering of EXPLAIN QUERY PLAN rows: children under their parent id, in order.

    With ``query``, the shell's prompt line comes first, the statement's whitespace folded to one line.
    """
    children: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        node_id, parent, detail = int(row[0]), int(row[1]), str(row[3])
        children.setdefault(parent, []).append((node_id, detail))
    lines = [f"sqlite> EXPLAIN QUERY PLAN {' '.join(query.split())};"] if query else []
    lines.append("QUERY PLAN")

    def render(parent: int, prefix: str) -> None:
        items = children.get(parent, [])
        for position, (node_id, detail) in enumerate(items):
            last = position == len(items) - 1
            lines.append(f"{prefix}{'`--' if last else '|--'}{detail}")
            if node_id != parent:  # a row is never its own parent; guard against a loop anyway
                render(node_id, prefix + ("   " if last else "|  "))

    render(0, "")
    return "\n".join(lines) + "\n"
