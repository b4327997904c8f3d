"""The human report: findings grouped by table, worst first, each with its fix SQL."""

from __future__ import annotations

import io
import textwrap

from rich.console import Console
from rich.markup import escape

from dbexpert.model import Finding, Severity
from dbexpert.report.base import ReportData, group_by_table, severity_counts
from dbexpert.report.plan_tree import is_ranked, plan_facts, plan_tree
from dbexpert.report.workload_table import print_workload
from dbexpert.rules.registry import Registry

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_WIDTH = 100


def render_text(data: ReportData, registry: Registry, *, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=_WIDTH, highlight=False, soft_wrap=True
    )
    console.print(_headline(data))
    for problem in data.problems:
        console.print(f"[red]problem:[/] {escape(problem)}")
    for note in data.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    print_workload(console, data)  # the workload report's tables, when there are some
    if is_ranked(data):
        _print_ranked(console, data)
    for table, findings in [] if is_ranked(data) else group_by_table(data.findings):
        counts = severity_counts(findings)
        tally = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        console.print(f"\n[bold]{escape(table)}[/]  [dim]({tally})[/]")
        for finding in findings:
            _print_finding(console, finding)
    if data.findings:
        console.print(
            f"\n[dim]Rule documentation: dbexpert rule NAME  (e.g. dbexpert rule {data.findings[0].rule})[/]"
        )
    return buffer.getvalue()


def _print_ranked(console: Console, data: ReportData) -> None:
    """Plan reports: the findings in the order given (the biggest share of the time first), then the tree."""
    if data.findings:
        console.print("\n[bold]Problems, by the share of the plan they account for[/]")
    for finding in data.findings:
        _print_finding(console, finding)
    plan = plan_facts(data) or {}
    tree = plan.get("tree")
    if isinstance(tree, dict):
        console.print()
        console.print(plan_tree(tree, str(plan.get("time_share_measured_by", ""))), soft_wrap=False)


def _headline(data: ReportData) -> str:
    counts = severity_counts(data.findings)
    total = len(data.findings)
    facts = ", ".join(f"{v}" for k, v in data.summary.items() if k in ("engine", "mode") and v)
    detail = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n) or "clean"
    where = f" — {escape(data.target)}" if data.target else ""
    extra = f" ({escape(facts)})" if facts else ""
    tables = data.summary.get("tables")
    scope = f" in {tables} tables" if isinstance(tables, int) else ""
    return f"[bold]dbexpert {data.command}[/]{where}{extra}: {total} finding{'s' if total != 1 else ''}{scope} ({detail})"


def _print_finding(console: Console, finding: Finding) -> None:
    style = _STYLE[finding.severity]
    loc = finding.location
    where = f"{loc.path}:{loc.line}" if loc.path and loc.line else (loc.path or loc.object or "")
    console.print(
        f"  [{style}]{finding.severity.value:<7}[/] [bold]{finding.rule}[/]  {escape(finding.message)}"
        + (f"  [dim]{escape(where)}[/]" if where else "")
    )
    evidence = {k: v for k, v in finding.evidence.items() if v not in (None, [], {}, "")}
    if evidence:
        text = ", ".join(f"{k}={_short(v)}" for k, v in evidence.items())
        console.print(f"          [dim]evidence: {escape(text)}[/]")
    if finding.fix is not None:
        console.print(f"          fix ({finding.fix.applicability.value}): {escape(finding.fix.description)}")
        if finding.fix.sql:
            for line in finding.fix.sql.splitlines():
                console.print(
                    textwrap.indent(escape(line), "            "),
                    style="green" if console.color_system else None,
                )


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
