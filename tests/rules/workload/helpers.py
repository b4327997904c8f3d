"""Realistic request traces for the request rules, as the trace reader yields them."""

from __future__ import annotations

from dbexpert.api.config import Config
from dbexpert.api.workload import find_nplusone_in_events
from dbexpert.model import Finding
from dbexpert.model.workload import Place, QueryEvent


def event(request: str | None, sql: str, ts: float, ms: float = 0.4, line: int = 1, session: str | None = None,
          params: tuple[str, ...] = ()) -> QueryEvent:
    return QueryEvent(sql=sql, place=Place("trace.jsonl", line), timestamp=ts, duration_ms=ms, request=request,
                      session=session, parameters=params)


def run(events: list[QueryEvent], rule: str, **thresholds: object) -> list[Finding]:
    config = Config(select=(rule,), thresholds={rule: thresholds} if thresholds else {})
    return [f for f in find_nplusone_in_events(events, config) if f.rule == rule]
