"""Reporters: findings (+ the registry for rule metadata) -> text | json | sarif | github | markdown."""

from __future__ import annotations

from collections.abc import Callable

from dbexpert.model import InputError
from dbexpert.report.base import ReportData
from dbexpert.report.github import render_github
from dbexpert.report.json import render_json
from dbexpert.report.markdown import render_markdown
from dbexpert.report.sarif import render_sarif
from dbexpert.report.terminal import render_text
from dbexpert.rules.registry import Registry

Renderer = Callable[[ReportData, Registry], str]

FORMATS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "markdown": render_markdown,
}


def render(data: ReportData, fmt: str, registry: Registry, *, color: bool = False) -> str:
    if fmt == "text":
        return render_text(data, registry, color=color)
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})") from None
    return renderer(data, registry)


__all__ = ["FORMATS", "ReportData", "render"]
