"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from dbexpert.model import Finding
from dbexpert.report.base import ReportData, ordered
from dbexpert.rules.registry import Registry

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def render_github(data: ReportData, registry: Registry) -> str:
    lines = [_annotation(f) for f in ordered(data.findings)]
    lines += [f"::error::{_data(p)}" for p in data.problems]
    return "\n".join(lines) + ("\n" if lines else "")


def _annotation(finding: Finding) -> str:
    loc = finding.location
    props = []
    if loc.path:
        props.append(f"file={_prop(loc.path)}")
        if loc.line:
            props.append(f"line={loc.line}")
        if loc.column:
            props.append(f"col={loc.column}")
        if loc.end_line:
            props.append(f"endLine={loc.end_line}")
    props.append(f"title={_prop(finding.rule)}")
    message = finding.message
    if loc.object and not loc.path:
        message = f"{loc.object}: {message}"
    if finding.fix is not None and finding.fix.sql:
        message += "\nFix: " + finding.fix.sql
    return f"::{_LEVEL[finding.severity.value]} {','.join(props)}::{_data(message)}"


def _data(text: str) -> str:
    """Escape a message the way the Actions runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
