"""Plans captured from PostgreSQL 15 (scratch tables of 20k-400k rows), kept as the text psql printed."""

from __future__ import annotations

from pathlib import Path

from dbexpert.model.plan import Plan
from dbexpert.sources.plans import parse_plan

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def load(name: str) -> Plan:
    return parse_plan(fixture_text(name), name)
