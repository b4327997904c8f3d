"""Small builders for model objects in unit tests (rules are pure functions over the model)."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Catalog, Column, Engine, Index, IndexKey, StatsSource, Table
from dbexpert.model.types import normalize_type


def col(name: str, raw_type: str = "integer", engine: Engine = Engine.POSTGRES, **kw: Any) -> Column:
    norm = normalize_type(raw_type, engine)
    kw.setdefault("length", norm.length)
    kw.setdefault("precision", norm.precision)
    kw.setdefault("scale", norm.scale)
    kw.setdefault("enum_values", norm.enum_values)
    return Column(name=name, raw_type=raw_type, kind=norm.kind, **kw)


def idx(name: str, *columns: str, **kw: Any) -> Index:
    return Index(name=name, keys=tuple(IndexKey(column=c) for c in columns), **kw)


def catalog(*tables: Table, engine: Engine = Engine.POSTGRES, live: bool = False, **kw: Any) -> Catalog:
    kw.setdefault("default_schema", {"postgres": "public", "sqlite": "main"}.get(engine.value))
    return Catalog(engine=engine, tables=tables, source=StatsSource.LIVE if live else StatsSource.NONE, **kw)


def findings_by_rule(findings: Any) -> dict[str, list[str]]:
    """Messages of ``findings`` grouped by rule name."""
    found: dict[str, list[str]] = {}
    for finding in findings:
        found.setdefault(finding.rule, []).append(finding.message)
    return found
