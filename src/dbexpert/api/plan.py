"""``plan``: read a saved query plan (any engine dbexpert reads) and run the plan rules over it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.api.config import Config, enabled_rules, rule_options, validate
from dbexpert.model import Engine, Finding, InputError
from dbexpert.model.plan import Plan
from dbexpert.report import ReportData
from dbexpert.rules.context import run_plan_rules
from dbexpert.rules.registry import Registry, registry
from dbexpert.sources.plans import parse_plan

_ESTIMATES_ONLY = {
    Engine.POSTGRES: "the plan has estimates only: run EXPLAIN (ANALYZE, BUFFERS) for actual rows and sorts",
    Engine.MYSQL: "the plan has estimates only: run EXPLAIN ANALYZE (MySQL 8.0.18+) or ANALYZE FORMAT=JSON (MariaDB)",
    Engine.MONGODB: 'the plan has estimates only: run explain("executionStats") for keys and documents examined',
}


@dataclass(frozen=True, slots=True)
class PlanAnalysis:
    plan: Plan
    findings: tuple[Finding, ...]
    target: str
    seconds: float = 0.0

    def facts(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "format": plan.format,
            "analyzed": plan.analyzed,
            "nodes": sum(1 for _ in plan.nodes()),
            "planning_time_ms": plan.planning_time,
            "execution_time_ms": plan.execution_time,
            "settings": dict(plan.settings),
        }

    def report(self) -> ReportData:
        notes: tuple[str, ...] = ()
        if not self.plan.analyzed:
            notes = (_ESTIMATES_ONLY.get(self.plan.engine, "the plan has estimates only"),)
        summary = {"engine": str(self.plan.engine), "mode": "static", "seconds": round(self.seconds, 3)}
        return ReportData(
            command="plan",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(summary),
            extra=MappingProxyType({"plan": self.facts()}),
            notes=notes,
        )


def analyze_plan(
    text: str,
    path: str = "<stdin>",
    config: Config | None = None,
    rules: Registry | None = None,
    engine: Engine | None = None,
) -> PlanAnalysis:
    """Parse a saved plan (its engine told from the text unless given) and run the enabled plan rules."""
    config = config or Config()
    rules = rules or registry()
    validate(config, rules)
    started = time.perf_counter()
    plan = parse_plan(text, path, engine)
    findings = run_plan_rules(
        plan, enabled_rules(config, rules), rule_options(config, rules), version=config.version_for(plan.engine)
    )
    return PlanAnalysis(
        plan=plan, findings=tuple(findings), target=path, seconds=time.perf_counter() - started
    )


def analyze_plan_file(
    path: Path, config: Config | None = None, rules: Registry | None = None, engine: Engine | None = None
) -> PlanAnalysis:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the plan: {exc}") from None
    return analyze_plan(text, str(path), config, rules, engine)
