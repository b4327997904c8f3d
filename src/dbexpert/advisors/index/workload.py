"""A workload: the statements to advise for, each with a weight (how often it runs).

Pure parsers over text the caller read: a ``.sql`` text (one query per statement, an optional
``-- weight: N`` comment just before a statement), a CSV with ``query`` and ``frequency`` columns,
or a JSON list of ``{"query": ..., "frequency": ...}`` objects; and any file ``workload analyze``
reads (server logs, slow logs, pg_stat_statements exports, traces), grouped by query shape.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dbexpert.advisors.workload.aggregate import QueryGroup, WorkloadAggregate
from dbexpert.model import Engine, InputError
from dbexpert.model.workload import LogEvent, QueryEvent, ReadProblem
from dbexpert.sql.parse import parse_statements

# A bind parameter outside a string literal: literals are matched first so their text is kept.
_PARAMETER_OR_LITERAL = re.compile(r"'(?:[^']|'')*'|\$(\d+)\b")
# A query, not a write or a command: what the top-N of a log is counted over (parsed properly later).
_READ = re.compile(r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*[(\s]*(?:select|with|table|values)\b", re.IGNORECASE | re.DOTALL)
_WEIGHT = re.compile(r"--\s*weight\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class WorkloadQuery:
    text: str
    weight: float
    path: str
    line: int = 1
    label: str = ""  # how reports name it: path:line, or the pg_stat_statements queryid

    @property
    def where(self) -> str:
        return self.label or f"{self.path}:{self.line}"


def from_sql(text: str, engine: Engine, path: str) -> tuple[list[WorkloadQuery], list[str]]:
    """The statements of a ``.sql`` text; statements that do not parse are returned as skipped lines."""
    result = parse_statements(text, engine, path)
    queries: list[WorkloadQuery] = []
    previous_end = 0
    for statement in result.statements:
        gap = text[previous_end : statement.start]
        previous_end = statement.start + len(statement.text)
        weights = _WEIGHT.findall(gap) or _WEIGHT.findall(statement.text)
        weight = float(weights[-1]) if weights else 1.0
        queries.append(WorkloadQuery(statement.text.strip().rstrip(";"), weight, path, statement.line))
    skipped = [f"{e.path}:{e.line}:{e.column}: skipped: {e.reason}" for e in result.errors]
    return queries, skipped


def from_csv(text: str, path: str) -> list[WorkloadQuery]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {name.lower(): name for name in reader.fieldnames or ()}
    if "query" not in fields:
        raise InputError(f"{path}:1:1: expected a CSV header with a 'query' column (and optionally 'frequency')")
    queries = []
    for number, row in enumerate(reader, start=2):
        query = (row.get(fields["query"]) or "").strip().rstrip(";")
        if query:
            weight = _weight(row.get(fields.get("frequency", ""), None), path, number)
            queries.append(WorkloadQuery(query, weight, path, number))
    return queries


def from_json(text: str, path: str) -> list[WorkloadQuery]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: expected JSON: {exc.msg}") from None
    if isinstance(data, dict):
        data = data.get("queries", data.get("workload"))
    if not isinstance(data, list):
        raise InputError(f"{path}:1:1: expected a JSON list of {{\"query\": ..., \"frequency\": ...}} objects")
    queries = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("query"), str):
            raise InputError(f"{path}:1:1: item {number}: expected an object with a string 'query'")
        weight = _weight(item.get("frequency", item.get("weight")), path, 1)
        queries.append(WorkloadQuery(item["query"].strip().rstrip(";"), weight, path, 1, f"{path}#{number}"))
    return queries


def from_events(
    events: Iterable[QueryEvent | LogEvent | ReadProblem], limit: int
) -> tuple[list[WorkloadQuery], list[str]]:
    """Logged statements grouped by shape (``dbexpert.sql.fingerprint``): the ``limit`` shapes with
    the most total time, like the live ``pg_stat_statements`` source, one query per shape.

    The weight is the shape's number of calls: costs are per execution, so weight x cost is the
    shape's share of the workload, the same weighting as ``pg_stat_statements`` (total time would
    count the slowness the new indexes are meant to remove). The query costed is the first call
    seen, with its logged bind parameters written in as literals; a shape logged without its
    parameter values keeps ``$n`` and is filled like a pg_stat_statements query.
    """
    aggregate = WorkloadAggregate().add_all(events)
    ranked = aggregate.top(len(aggregate.groups), by="total")
    reads = [g for g in ranked if _READ.match(g.example_sql)]
    queries = [_group_query(group) for group in reads[:limit]]
    skipped = [f"skipped: {problems}"] if (problems := aggregate.problems.summary()) else []
    if len(reads) < len(ranked):
        skipped.append(f"skipped: {len(ranked) - len(reads)} logged statement shapes that are not queries (DDL, DML, ...)")
    if len(reads) > limit:
        skipped.append(f"skipped: {len(reads) - limit} query shapes beyond the top {limit} by total time")
    return queries, skipped


def _group_query(group: QueryGroup) -> WorkloadQuery:
    text = group.example_sql.strip().rstrip(";")
    if group.example_parameters:
        text = fill_parameters(text, group.example_parameters)
    place = group.example_place
    label = f"{place.path}:{place.line}" + (f" ({group.calls} calls)" if group.calls != 1 else "")
    return WorkloadQuery(text, float(group.calls), place.path, place.line, label)


def fill_parameters(text: str, values: tuple[str, ...]) -> str:
    """``$n`` outside string literals replaced by the logged value ``values[n-1]`` as a literal.

    Every value is written as a quoted literal (NULL stays NULL): an untyped literal takes the type
    of the column it is compared with on PostgreSQL, and MySQL converts it likewise.
    """

    def literal(match: re.Match[str]) -> str:
        number = match.group(1)
        if number is None or not 1 <= int(number) <= len(values):
            return match.group(0)
        value = values[int(number) - 1]
        return "NULL" if value == "NULL" else "'" + value.replace("'", "''") + "'"

    return _PARAMETER_OR_LITERAL.sub(literal, text)


def _weight(value: object, path: str, line: int) -> float:
    if value is None or value == "":
        return 1.0
    try:
        weight = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{path}:{line}:1: expected a number as frequency, got {value!r}") from None
    if weight < 0:
        raise InputError(f"{path}:{line}:1: expected a frequency >= 0, got {weight}")
    return weight
