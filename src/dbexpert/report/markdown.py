"""Markdown: for pull-request comments and reports pasted into tickets."""

from __future__ import annotations

from dbexpert.model import Finding
from dbexpert.report.base import ReportData, group_by_table, severity_counts
from dbexpert.report.workload_table import workload_markdown
from dbexpert.rules.registry import Registry

_ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}


def render_markdown(data: ReportData, registry: Registry) -> str:
    counts = severity_counts(data.findings)
    lines = [f"# dbexpert {data.command}", ""]
    if data.target:
        lines += [f"Target: `{_code(data.target)}`", ""]
    lines += [
        f"**{len(data.findings)} findings** — " + ", ".join(f"{_ICON[s]} {n} {s}" for s, n in counts.items()),
        "",
    ]
    for problem in data.problems:
        lines.append(f"> ⚠️ {_cell(problem)}")
    for note in data.notes:
        lines.append(f"> {_cell(note)}")
    lines += workload_markdown(data)  # the workload report's tables, when there are some
    for table, findings in group_by_table(data.findings):
        lines += ["", f"## `{_code(table)}`", "", "| | Rule | Finding | Where |", "|---|---|---|---|"]
        lines += [_row(f) for f in findings]
        fixes = [f for f in findings if f.fix is not None and f.fix.sql]
        if fixes:
            lines += ["", "<details><summary>Fixes</summary>", ""]
            for finding in fixes:
                assert finding.fix is not None
                lines += [
                    f"**{finding.rule}** — {_cell(finding.fix.description)}",
                    "",
                    "```sql",
                    finding.fix.sql or "",
                    "```",
                    "",
                ]
            lines.append("</details>")
    return "\n".join(lines) + "\n"


def _row(finding: Finding) -> str:
    loc = finding.location
    where = f"{loc.path}:{loc.line}" if loc.path and loc.line else (loc.object or "")
    rule = f"[`{finding.rule}`]({finding.docs})"
    return f"| {_ICON[finding.severity.value]} | {rule} | {_cell(finding.message)} | `{_code(where)}` |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return text.replace("`", "'").replace("|", "\\|")
