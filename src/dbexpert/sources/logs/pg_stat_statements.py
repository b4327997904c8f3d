"""pg_stat_statements exports: CSV with a header, a JSON array of rows, or JSON lines (one row each).

Written, for example, by::

    \\copy (select * from pg_stat_statements) to 'statements.csv' csv header
    psql -Atc "select json_agg(s) from pg_stat_statements s" > statements.json

Columns are found by name, so any column order and any PostgreSQL version reads: 12 has
``total_time`` / ``min_time`` / ``max_time``; 13 renamed them ``total_exec_time`` / ... and added
planning times; 14 added ``toplevel``; 17 added ``stats_since``. Database and user come from
``datname`` / ``rolname`` (or ``database`` / ``user``) when the export joined them in, else from the
``dbid`` / ``userid`` OIDs. Each row becomes one :class:`QueryEvent` holding all its calls
(``calls`` > 1, ``duration_ms`` their total execution time). Two snapshots give the work done
between them (:func:`snapshot_delta`), counters reset in between included.

CSV is PostgreSQL's ``csv`` format (quoted fields may span lines); the plain ``text`` COPY format is
not read. A JSON array is read whole (the view holds at most ``pg_stat_statements.max`` rows, 5,000
by default); CSV and JSON lines stream.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dbexpert.model import Engine, InputError
from dbexpert.model.workload import Place, QueryEvent, ReadProblem

# Logical field -> the column names that carry it, newest spelling first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "query": ("query",),
    "calls": ("calls",),
    "total_ms": ("total_exec_time", "total_time"),
    "min_ms": ("min_exec_time", "min_time"),
    "max_ms": ("max_exec_time", "max_time"),
    "plan_ms": ("total_plan_time",),
    "rows": ("rows",),
    "queryid": ("queryid",),
    "database": ("datname", "database", "dbname"),
    "dbid": ("dbid",),
    "user": ("rolname", "usename", "username", "user"),
    "userid": ("userid",),
    "toplevel": ("toplevel",),
    "stats_since": ("stats_since",),
}
_REQUIRED = ("query", "calls", "total_ms")
_HEADER_HINT = "a pg_stat_statements export with query, calls and total_exec_time (or total_time) columns"


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One row of the view: a statement shape's counters since the last reset."""

    query: str
    calls: int
    total_ms: float
    place: Place
    queryid: str | None = None
    database: str | None = None
    user: str | None = None
    toplevel: bool = True
    rows: int | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    plan_ms: float | None = None
    stats_since: str | None = None  # PostgreSQL 17: when this entry's counters started
    dbid: str | None = None
    userid: str | None = None

    @property
    def key(self) -> tuple[str | None, str | None, str | None, bool, str | None]:
        """What identifies an entry across snapshots: the view's own key (OIDs when the export has
        them, so an export with names joined in matches one without), the text when there is no id."""
        return (
            self.queryid,
            self.dbid or self.database,
            self.userid or self.user,
            self.toplevel,
            None if self.queryid else self.query,
        )

    def event(self) -> QueryEvent:
        return QueryEvent(
            sql=self.query,
            place=self.place,
            engine=Engine.POSTGRES,
            duration_ms=self.total_ms,
            calls=self.calls,
            rows=self.rows,
            database=self.database,
            user=self.user,
            queryid=self.queryid,
            min_ms=self.min_ms,
            max_ms=self.max_ms,
        )


@dataclass(frozen=True, slots=True)
class SnapshotDelta:
    rows: tuple[StatementRow, ...]  # the work done between the snapshots
    reset: int  # entries whose counters went back (a reset, or evicted and re-added): counted from zero
    new: int  # entries that appeared after the first snapshot


def sniff(head: str) -> bool:
    text = head.lstrip("\ufeff \t\r\n")
    if text[:1] in "[{":
        return '"queryid"' in head and '"calls"' in head and '"query"' in head
    names = _header_names(text.split("\n", 1)[0])
    return "query" in names and "calls" in names and bool({"total_exec_time", "total_time"} & set(names))


def read(lines: Iterable[str], path: str, options: object = None) -> Iterator[QueryEvent | ReadProblem]:
    """Events from an export: one QueryEvent per row with calls, ReadProblems for rows not understood."""
    for item in read_rows(lines, path):
        if isinstance(item, ReadProblem):
            yield item
        elif item.calls > 0:  # planned but never executed (track_planning): no work to report
            yield item.event()


def read_rows(lines: Iterable[str], path: str) -> Iterator[StatementRow | ReadProblem]:
    """The rows of a CSV or JSON export, in file order."""
    iterator = iter(lines)
    leading: list[str] = []  # blank lines before the content, kept so that line numbers stay true
    for first in iterator:
        if first.strip():
            break
        leading.append(first)
    else:
        return
    start = first.lstrip("\ufeff \t")[:1]
    if start in ("[", "{"):
        yield from _json_rows(_chain(*leading, first, rest=iterator), path, json_lines=start == "{")
    else:
        yield from _csv_rows(_chain(first, rest=iterator), path, offset=len(leading))


def rows_from_mappings(rows: Iterable[Mapping[str, Any]], path: str) -> Iterator[StatementRow | ReadProblem]:
    """Rows fetched live (dicts by column name), numbered from 1 like an export's data lines."""
    for number, row in enumerate(rows, start=1):
        yield _row(row, Place(path, number))


def snapshot_delta(before: Iterable[StatementRow], after: Iterable[StatementRow]) -> SnapshotDelta:
    """What ran between two snapshots: per entry, ``after`` minus ``before``.

    An entry whose calls or time went down, or whose ``stats_since`` changed, was reset (or evicted
    and added again) in between: its ``after`` counters are all work done since, so they count
    whole. Minimum and maximum times cover the whole life of an entry, so a difference has none.
    """
    earlier = {row.key: row for row in before}
    rows: list[StatementRow] = []
    reset = new = 0
    for row in after:
        old = earlier.get(row.key)
        if old is None:
            new += 1
            rows.append(row)
            continue
        went_back = row.calls < old.calls or row.total_ms < old.total_ms - 1e-6
        if went_back or (row.stats_since and old.stats_since and row.stats_since != old.stats_since):
            reset += 1
            rows.append(row)
            continue
        calls = row.calls - old.calls
        if calls == 0:
            continue
        rows.append(
            replace(
                row,
                calls=calls,
                total_ms=max(row.total_ms - old.total_ms, 0.0),
                rows=None if row.rows is None or old.rows is None else row.rows - old.rows,
                plan_ms=None if row.plan_ms is None or old.plan_ms is None else row.plan_ms - old.plan_ms,
                min_ms=None,
                max_ms=None,
            )
        )
    return SnapshotDelta(tuple(rows), reset, new)


# CSV


def _csv_rows(lines: Iterable[str], path: str, offset: int = 0) -> Iterator[StatementRow | ReadProblem]:
    reader = csv.reader(lines, strict=False)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InputError(f"{path}:{offset + 1}:1: expected {_HEADER_HINT}") from None
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    if not all(any(c in names for c in COLUMNS[f]) for f in _REQUIRED):
        raise InputError(f"{path}:{offset + 1}:1: expected {_HEADER_HINT}")
    line = reader.line_num + offset
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num + offset
            yield ReadProblem(Place(path, start), f"not a CSV row: {exc}")
            continue
        line = reader.line_num + offset
        if not values or values == [""]:
            continue
        if len(values) != len(names):
            yield ReadProblem(
                Place(path, start), f"expected {len(names)} columns as in the header, found {len(values)}"
            )
            continue
        yield _row(dict(zip(names, values, strict=True)), Place(path, start))


def _header_names(line: str) -> list[str]:
    try:
        return [name.strip().lower() for name in next(csv.reader([line]))]
    except (StopIteration, csv.Error):
        return []


# JSON


def _json_rows(lines: Iterable[str], path: str, *, json_lines: bool) -> Iterator[StatementRow | ReadProblem]:
    if not json_lines:
        yield from _json_array("".join(lines), path)
        return
    for number, line in enumerate(lines, start=1):  # JSON lines: one object per line
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            yield ReadProblem(Place(path, number), f"not a JSON object: {exc}")
            continue
        if not isinstance(value, dict):
            yield ReadProblem(
                Place(path, number), "expected a JSON object with query, calls and total_exec_time"
            )
            continue
        yield _row(value, Place(path, number))


def _json_array(text: str, path: str) -> Iterator[StatementRow | ReadProblem]:
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    line, counted = 1, 0
    while True:
        pos = _skip(text, pos)
        if pos >= len(text):
            yield ReadProblem(Place(path, line), "truncated JSON: the array is not closed")
            return
        if text[pos] == "]":
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except ValueError as exc:
            yield ReadProblem(Place(path, line), f"not a JSON row: {exc.args[0].split(':')[0]}")
            return  # no way to find the next row in broken JSON
        if isinstance(value, dict):
            yield _row(value, Place(path, line))
        else:
            yield ReadProblem(
                Place(path, line), "expected a JSON object with query, calls and total_exec_time"
            )
        pos = _skip(text, end)
        if pos < len(text) and text[pos] == ",":
            pos += 1


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


# Rows


def _row(raw: Mapping[str, Any], place: Place) -> StatementRow | ReadProblem:
    row = {str(k).lower(): v for k, v in raw.items()}

    def get(name: str) -> Any:
        for column in COLUMNS[name]:
            value = row.get(column)
            if value not in (None, ""):
                return value
        return None

    query, calls, total = get("query"), get("calls"), get("total_ms")
    if query is None or calls is None or total is None:
        return ReadProblem(place, f"expected {_HEADER_HINT}")
    try:
        database = get("database")
        user = get("user")
        dbid, userid = get("dbid"), get("userid")
        return StatementRow(
            query=str(query),
            calls=int(calls),
            total_ms=float(total),
            place=place,
            queryid=None if get("queryid") is None else str(get("queryid")),
            database=str(database)
            if database is not None
            else (f"dbid={dbid}" if dbid is not None else None),
            user=str(user) if user is not None else (f"userid={userid}" if userid is not None else None),
            toplevel=_bool(get("toplevel")),
            rows=_int(get("rows")),
            min_ms=_float(get("min_ms")),
            max_ms=_float(get("max_ms")),
            plan_ms=_float(get("plan_ms")),
            stats_since=None if get("stats_since") is None else str(get("stats_since")),
            dbid=None if dbid is None else str(dbid),
            userid=None if userid is None else str(userid),
        )
    except (TypeError, ValueError) as exc:
        return ReadProblem(place, f"a counter is not a number: {exc}")


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _bool(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return value is not False
    return str(value).strip().lower() not in ("f", "false", "0", "no")


def _chain(*first: str, rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest
