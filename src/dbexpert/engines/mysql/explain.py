"""EXPLAIN one statement on a live MySQL or MariaDB session.

Plain plans come from ``EXPLAIN FORMAT=JSON``. With ANALYZE, MariaDB runs ``ANALYZE FORMAT=JSON``
and MySQL 8.0.18+ ``EXPLAIN ANALYZE`` (TREE text); both execute the statement. Reads run in the
session's READ ONLY transaction under its statement and lock timeouts. A write (INSERT, UPDATE,
DELETE, a SELECT that locks rows) runs only when the caller allows it, in a READ WRITE transaction
that is always rolled back, and only when every table it names is InnoDB: other engines (MyISAM,
Aria, MEMORY) cannot roll back. Even a plain EXPLAIN of a write needs that transaction: the servers
refuse it in a READ ONLY one. The user's text is sent after our prefix, as one statement (the
caller checked), without parameters, so PyMySQL does no ``%`` formatting on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pymysql

from dbexpert.engines.mysql.connect import MysqlSession
from dbexpert.engines.mysql.scratch import clean_error, error_code
from dbexpert.model import ConnectError, DbexpertError, InputError, Version
from dbexpert.sql.classify import ExplainableStatement

MYSQL_EXPLAIN_ANALYZE = Version(8, 0, 18)
ROLLBACK_SAFE_ENGINES = frozenset({"innodb"})
_LOST = frozenset({2006, 2013, 2055})  # server gone, lost during query, lost at handshake
_LIMITS = frozenset({1205, 1969, 3024})  # lock wait timeout, MariaDB / MySQL statement time limit
_NEAR = re.compile(r"near '(?P<near>.*)' at line (?P<line>\d+)", re.S)


@dataclass(frozen=True, slots=True)
class ExplainCommand:
    prefix: str  # what goes before the user's statement
    format: str  # "json" or "tree", what the plan reader receives


def explain_command(flavor: str, version: Version, analyze: bool) -> ExplainCommand:
    """Which EXPLAIN the server offers: a pure function of its flavor and version."""
    if not analyze:
        return ExplainCommand("EXPLAIN FORMAT=JSON ", "json")
    if flavor == "mariadb":
        return ExplainCommand("ANALYZE FORMAT=JSON ", "json")
    if version < MYSQL_EXPLAIN_ANALYZE:
        raise InputError(
            f"EXPLAIN ANALYZE needs MySQL 8.0.18 or later; the server runs {version.major}.{version.minor}."
            f"{version.patch}: drop --analyze"
        )
    return ExplainCommand("EXPLAIN ANALYZE ", "tree")


def explain_plan(
    session: MysqlSession, statement: ExplainableStatement, analyze: bool, allow_writes: bool
) -> str:
    """The plan of ``statement`` as the server prints it (JSON, or TREE for MySQL's EXPLAIN ANALYZE)."""
    command = explain_command(session.flavor, session.version, analyze)
    if not statement.writes:
        return _run(session, statement, command.prefix)
    if not allow_writes:
        raise InputError(
            f"{statement.where()}: refusing to explain {statement.verb} on {session.flavor}: the server "
            "accepts it only in a READ WRITE transaction (and ANALYZE executes it); add --analyze-writes "
            "to run it in a transaction that is rolled back"
        )
    _require_rollback_safe(session, statement)
    session.connection.rollback()  # leave the read-only transaction
    session.run("START TRANSACTION READ WRITE")
    try:
        return _run(session, statement, command.prefix)
    finally:
        if session.connection.open:
            session.connection.rollback()
            session.run("START TRANSACTION READ ONLY")


def _require_rollback_safe(session: MysqlSession, statement: ExplainableStatement) -> None:
    """Refuse a write that touches a table ROLLBACK cannot restore (or one whose engine is unknown)."""
    names = [name.rpartition(".") for name in statement.tables]
    if not names:
        return
    marks = ", ".join(["(%s, %s)"] * len(names))
    params: list[str] = []
    for schema, _, table in names:
        params += [schema or session.database, table]
    rows = session.run(
        "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, ENGINE AS engine FROM information_schema.TABLES "
        f"WHERE (TABLE_SCHEMA, TABLE_NAME) IN ({marks})",
        params,
    )
    unsafe = [
        f"{r['t']} ({r['engine'] or 'a view'})"
        for r in rows
        if str(r["engine"] or "").lower() not in ROLLBACK_SAFE_ENGINES
    ]
    if unsafe:
        raise InputError(
            f"{statement.where()}: refusing to run {statement.verb}: ROLLBACK cannot undo writes to "
            f"{', '.join(unsafe)}; only InnoDB tables are written to, and always rolled back"
        )


def _run(session: MysqlSession, statement: ExplainableStatement, prefix: str) -> str:
    session.round_trips += 1
    try:
        with session.connection.cursor() as cursor:
            cursor.execute(prefix + statement.text)  # no parameters: the text is not %-formatted
            row = cursor.fetchone()
    except pymysql.err.MySQLError as exc:
        raise _error(exc, session, statement) from None
    if not row:  # pragma: no cover - EXPLAIN always returns its plan
        raise DbexpertError(f"{statement.where()}: the server returned no plan")
    return str(next(iter(row.values())))


def _error(
    exc: pymysql.err.MySQLError, session: MysqlSession, statement: ExplainableStatement
) -> DbexpertError:
    code = error_code(exc)
    message = clean_error(exc, session.url)
    if code in _LOST or not session.connection.open or isinstance(exc, pymysql.err.InterfaceError):
        return ConnectError(f"lost the connection to {session.url.redacted()}: {message}")
    if code in _LIMITS:
        return DbexpertError(f"{statement.where()}: {message} (dbexpert's safety limit)")
    return InputError(f"{statement.where(_offset(statement.text, message))}: {message}")


def _offset(text: str, message: str) -> int:
    """Where a syntax error's ``near '...' at line N`` points in the statement (0 if it cannot tell)."""
    match = _NEAR.search(message)
    if not match:
        return 0
    line_start = 0
    for _ in range(int(match["line"]) - 1):
        line_start = text.find("\n", line_start) + 1
    found = text.find(match["near"][:40], line_start) if match["near"] else -1
    return found if found >= 0 else line_start
