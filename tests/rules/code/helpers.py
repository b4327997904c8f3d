"""Run one code rule over a hand-built LoopQuery (the scanners have their own tests)."""

from __future__ import annotations

from typing import Any

from dbexpert.model import Finding
from dbexpert.model.code import LoopQuery, LoopQueryKind
from dbexpert.rules.context import run_code_rules
from dbexpert.rules.registry import registry


def site(kind: LoopQueryKind, **fields: Any) -> LoopQuery:
    values: dict[str, Any] = {
        "orm": "sqlalchemy",
        "kind": kind,
        "path": "app/views.py",
        "line": 12,
        "column": 9,
        "loop_line": 10,
        "call": "session.get(Order, order_id)",
        "loop": "for order_id in order_ids",
    }
    values.update(fields)
    return LoopQuery(**values)


def findings(rule: str, *sites: LoopQuery) -> list[Finding]:
    return run_code_rules(sites, [registry().get(rule)])
