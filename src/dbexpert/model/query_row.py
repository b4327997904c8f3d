"""A query event as a plain tuple: what the PostgreSQL log readers hand to the workload analysis.

A 1 GiB log holds millions of statements; building a 22-field frozen :class:`QueryEvent` for each
costs more than grouping it. The readers' fast path yields a ``QueryRow`` — a tuple of the fields
a server log can give, in the order of the constants below — and the aggregation and the request
grouping read it directly; a :class:`QueryEvent` is built (:func:`row_event`) only where one is
kept: a group's example, a request the request rules inspect, or a caller of the public event API.

A row always stands for one call (``calls`` = 1) with no rows counts, request or span ids.
"""

from __future__ import annotations

from dbexpert.model.catalog import Engine
from dbexpert.model.workload import Place, QueryEvent

# (sql, path, line, timestamp, duration_ms, database, user, application, client, session,
#  transaction, parameters, plan, queryid)
QueryRow = tuple[
    str,
    str,
    int,
    float | None,
    float | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    tuple[str, ...],
    str | None,
    str | None,
]
SQL, PATH, LINE, TIMESTAMP, DURATION = 0, 1, 2, 3, 4
DATABASE, USER, APPLICATION, CLIENT, SESSION = 5, 6, 7, 8, 9
TRANSACTION, PARAMETERS, PLAN, QUERYID = 10, 11, 12, 13


def row_event(row: QueryRow, engine: Engine = Engine.POSTGRES) -> QueryEvent:
    """The :class:`QueryEvent` a row stands for; a MySQL slow log's row carries its rows sent and
    examined after the fourteen fields."""
    (
        sql,
        path,
        line,
        timestamp,
        duration,
        database,
        user,
        application,
        client,
        session,
        xid,
        params,
        plan,
        qid,
    ) = row[:14]
    return QueryEvent(
        sql=sql,
        place=Place(path, line),
        engine=engine,
        timestamp=timestamp,
        duration_ms=duration,
        database=database,
        user=user,
        application=application,
        client=client,
        session=session,
        transaction=xid,
        parameters=params,
        plan=plan,
        queryid=qid,
        rows=row[14] if len(row) > 14 else None,  # type: ignore[misc]
        rows_examined=row[15] if len(row) > 15 else None,  # type: ignore[misc]
    )
