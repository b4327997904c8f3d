"""EXPLAIN one statement on a live PostgreSQL session, and price a hypothetical index with hypopg.

The statement runs inside the session's read-only transaction with its statement and lock
timeouts: a plain EXPLAIN never executes it, ``ANALYZE`` executes a read (harmless in a read-only
transaction). ANALYZE of a write (INSERT, UPDATE, DELETE, MERGE, a data-modifying WITH, FOR UPDATE)
runs only when the caller allows it, in its own READ WRITE transaction that is always rolled back.
The user's text is sent after our ``EXPLAIN (...)`` prefix as one statement (the caller checked it
is exactly one) and never with parameters, so a ``%`` in it means nothing to the driver.
hypopg's functions keep hypothetical indexes in the backend's memory and write nothing, so they
work inside the read-only transaction; ``hypopg_reset()`` always follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg

from dbexpert.engines.postgres.connect import PostgresSession
from dbexpert.engines.postgres.hypopg import index_names, reset_hypothetical
from dbexpert.engines.postgres.scratch import clean_error
from dbexpert.engines.url import redact
from dbexpert.model import ConnectError, DbexpertError, InputError
from dbexpert.sql.classify import ExplainableStatement


@dataclass(frozen=True, slots=True)
class HypotheticalIndex:
    """What the planner estimates with a hypothetical index in place (never a measurement)."""

    index_name: str
    cost_before: float
    cost_after: float
    used: bool


def explain_prefix(analyze: bool) -> str:
    """The EXPLAIN options: JSON for the reader, SETTINGS (changed planner settings, PostgreSQL 12+)."""
    options = "FORMAT JSON, SETTINGS" + (", ANALYZE, BUFFERS" if analyze else "")
    return f"EXPLAIN ({options}) "


def explain_plan(
    session: PostgresSession, statement: ExplainableStatement, analyze: bool, allow_writes: bool
) -> str:
    """The plan of ``statement`` as PostgreSQL's FORMAT JSON text."""
    prefix = explain_prefix(analyze)
    if not (analyze and statement.writes):
        return _plan_text(_explain(session, statement, prefix))
    if not allow_writes:
        raise InputError(
            f"{statement.where()}: refusing EXPLAIN ANALYZE of {statement.verb}: it executes the write; "
            "add --analyze-writes to run it in a transaction that is rolled back, or drop --analyze"
        )
    connection = session.connection
    connection.read_only = False  # the session default stays read-only; this one transaction is not
    try:
        return _plan_text(_explain(session, statement, prefix, rollback=True))
    finally:
        connection.read_only = True


def hypothetical_index(
    session: PostgresSession, statement: ExplainableStatement, create_index: str
) -> HypotheticalIndex:
    """Plain EXPLAIN without and with the hypothetical index ``create_index`` (our own fix SQL).

    ANALYZE would ignore a hypothetical index, so both sides are estimates. ``create_index`` goes to
    ``hypopg_create_index`` as a bound parameter.
    """
    prefix = "EXPLAIN (FORMAT JSON) "
    connection = session.connection
    try:
        with connection.transaction():
            before = _explain_in_transaction(session, statement, prefix)
            created = session.fetch(
                "hypopg_create_index",
                "SELECT indexname FROM hypopg_create_index(%(sql)s)",
                {"sql": create_index.strip().rstrip(";")},
            )
            name = str(created[0]["indexname"])
            after = _explain_in_transaction(session, statement, prefix)
    finally:
        reset_hypothetical(session)
    return HypotheticalIndex(
        index_name=name,
        cost_before=float(before[0]["Plan"]["Total Cost"]),
        cost_after=float(after[0]["Plan"]["Total Cost"]),
        used=name in set(index_names(after)),
    )


def _explain(
    session: PostgresSession, statement: ExplainableStatement, prefix: str, rollback: bool = False
) -> Any:
    try:
        with session.connection.transaction(force_rollback=rollback):
            return _explain_in_transaction(session, statement, prefix)
    except psycopg.Error as exc:  # BEGIN or the end of the transaction failed
        raise _error(exc, session, statement, prefix) from None


def _explain_in_transaction(session: PostgresSession, statement: ExplainableStatement, prefix: str) -> Any:
    session.round_trips += 1
    try:
        with session.connection.cursor() as cursor:
            # psycopg treats the text as a bare query (no parameters), and the caller checked it is
            # exactly one statement.
            cursor.execute((prefix + statement.text).encode())
            row = cursor.fetchone()
    except psycopg.Error as exc:
        raise _error(exc, session, statement, prefix) from None
    if row is None:  # pragma: no cover - EXPLAIN always returns its plan
        raise DbexpertError(f"{statement.where()}: EXPLAIN returned no plan")
    value = next(iter(row.values()))
    return json.loads(value) if isinstance(value, str) else value


def _error(
    exc: psycopg.Error, session: PostgresSession, statement: ExplainableStatement, prefix: str
) -> DbexpertError:
    connection = session.connection
    message = _one_line(exc, session)
    if connection.broken or connection.closed:
        return ConnectError(f"lost the connection to {session.url.redacted()}: {message}")
    diag = exc.diag
    if isinstance(exc, psycopg.errors.QueryCanceled | psycopg.errors.LockNotAvailable):
        return DbexpertError(
            f"{statement.where()}: {diag.message_primary or message} (dbexpert's safety limit)"
        )
    position = int(diag.statement_position) - 1 - len(prefix) if diag.statement_position else 0
    return InputError(
        f"{statement.where(position)}: {_one_line_text(diag.message_primary or message, session)}"
    )


def _one_line(exc: BaseException, session: PostgresSession) -> str:
    return clean_error(exc, session.url)


def _one_line_text(text: str, session: PostgresSession) -> str:
    text = " ".join(text.split())
    if session.url.password:
        text = text.replace(session.url.password, "***")
    return redact(text)


def _plan_text(plan: Any) -> str:
    return json.dumps(plan, indent=2)

