"""A workload: the statements to advise for, each with a weight (how often it runs).

Pure parsers over text the caller read: a ``.sql`` text (one query per statement, an optional
``-- weight: N`` comment just before a statement), a CSV with ``query`` and ``frequency`` columns,
or a JSON list of ``{"query": ..., "frequency": ...}`` objects.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

from dbexpert.model import Engine, InputError
from dbexpert.sql.parse import parse_statements

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
