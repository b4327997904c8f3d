"""``plan``: read a saved query plan (any engine dbexpert reads) and run the plan rules over it."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.api.config import Config, enabled_rules, rule_options, validate
from dbexpert.model import Engine, Finding, InputError
from dbexpert.model.plan import Plan, PlanNode
from dbexpert.report import ReportData
from dbexpert.rules.context import run_plan_rules
from dbexpert.rules.plan._plan import SYMPTOMS, TimeShares, time_shares
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
            "ranked": True,  # findings are ordered by the time they account for, not by table
            "time_share_measured_by": time_shares(plan).measured_by,
            "tree": plan_tree(plan, self.findings),
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
        plan,
        enabled_rules(config, rules),
        rule_options(config, rules),
        version=config.version_for(plan.engine),
    )
    return PlanAnalysis(
        plan=plan,
        findings=tuple(rank_findings(plan, findings)),
        target=path,
        seconds=time.perf_counter() - started,
    )


def rank_findings(plan: Plan, findings: Iterable[Finding]) -> list[Finding]:
    """Findings ordered by the part of the plan's time (or cost) their node accounts for, highest first.

    Each gains ``time_share`` (0..1) and ``time_share_measured_by`` in its evidence unless its rule
    measured them itself (JIT is not a node). On the same node, a cure outranks a symptom.
    """
    shares = time_shares(plan)
    by_line = _nodes_by_line(plan)
    ranked: list[tuple[float, int, int, Finding]] = []
    for position, finding in enumerate(findings):
        evidence = dict(finding.evidence)
        if "time_share" not in evidence:
            node = by_line.get(finding.location.line) if finding.location.path == plan.path else None
            evidence["time_share"] = round(shares.of(node), 3) if node is not None else 0.0
            evidence["time_share_measured_by"] = shares.measured_by if node is not None else "not a plan node"
        share = float(evidence["time_share"])
        ranked.append(
            (
                -share,
                finding.rule in SYMPTOMS,
                position,
                replace(finding, evidence=MappingProxyType(evidence)),
            )
        )
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked]


def _nodes_by_line(plan: Plan) -> dict[int | None, PlanNode]:
    found: dict[int | None, PlanNode] = {}
    for node in plan.nodes():
        found.setdefault(node.line, node)
    return found


def plan_tree(plan: Plan, findings: Iterable[Finding] = ()) -> dict[str, Any]:
    """The plan as nested dicts for reports: per node its label, time share, rows, loops, buffers and
    the rules that found something there (matched by the node's line)."""
    shares = time_shares(plan)
    rules: dict[int | None, list[str]] = {}
    for finding in findings:
        if finding.location.path == plan.path and finding.rule not in rules.get(finding.location.line, []):
            rules.setdefault(finding.location.line, []).append(finding.rule)
    by_line = _nodes_by_line(plan)

    def build(node: PlanNode) -> dict[str, Any]:
        own = rules.get(node.line, []) if by_line.get(node.line) is node else []
        return {**_node_facts(node, shares), "findings": own, "children": [build(c) for c in node.children]}

    return build(plan.root)


def _node_facts(node: PlanNode, shares: TimeShares) -> dict[str, Any]:
    buffers = {
        "shared_hit": node.shared_hit,
        "shared_read": node.shared_read,
        "temp_read": node.temp_read,
        "temp_written": node.temp_written,
    }
    return {
        "label": node.label,
        "line": node.line,
        "time_share": round(shares.of(node), 3) if shares.total else None,
        "estimated_rows": node.plan_rows,
        "actual_rows": node.actual_rows,
        "loops": node.actual_loops,
        "actual_total_time_ms": node.actual_total_time,
        "total_cost": node.total_cost,
        "never_executed": node.never_executed,
        "buffers": {k: v for k, v in buffers.items() if v},
    }


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
