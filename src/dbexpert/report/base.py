"""What every reporter receives, and the one ordering of findings all of them share."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dbexpert.model import Finding, Severity


@dataclass(frozen=True, slots=True)
class ReportData:
    command: str  # "audit", ...
    findings: tuple[Finding, ...]
    target: str = ""  # what was inspected, passwords redacted
    summary: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # command facts
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # command results
    problems: tuple[str, ...] = ()  # input problems that did not stop the run (one line each)
    notes: tuple[str, ...] = ()  # what the reader should know about the run (one line each)


def severity_counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts = Counter(f.severity.value for f in findings)
    return {s.value: counts.get(s.value, 0) for s in Severity}


def finding_sort_key(finding: Finding) -> tuple[Any, ...]:
    loc = finding.location
    return (
        -finding.severity.rank,
        loc.path or "",
        loc.line or 0,
        loc.column or 0,
        finding.rule,
        loc.object or "",
    )


def group_by_table(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by the table they concern (else their file), the worst first (then by count, name)."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[finding.table or finding.location.path or "(database)"].append(finding)
    for items in groups.values():
        items.sort(key=finding_sort_key)

    def weight(item: tuple[str, list[Finding]]) -> tuple[Any, ...]:
        name, items = item
        ranks = sorted((f.severity.rank for f in items), reverse=True)
        return (tuple(-r for r in ranks[:1]), -sum(r * r for r in ranks), name)

    return sorted(groups.items(), key=weight)


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """All findings in report order: grouped by table, worst table first."""
    return [f for _, items in group_by_table(findings) for f in items]


def summary_of(data: ReportData) -> dict[str, Any]:
    counts = severity_counts(data.findings)
    return {
        "command": data.command,
        "target": data.target,
        "total": len(data.findings),
        "by_severity": counts,
        "problems": list(data.problems),
        "notes": list(data.notes),
        **dict(data.summary),
    }
