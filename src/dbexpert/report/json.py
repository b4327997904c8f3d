"""JSON: ``{"findings": [...], "summary": {...}}`` plus the command's own results (DESIGN § 6)."""

from __future__ import annotations

import json

from dbexpert.report.base import ReportData, ordered, summary_of
from dbexpert.rules.registry import Registry


def render_json(data: ReportData, registry: Registry) -> str:
    document = {
        "findings": [f.to_dict() for f in ordered(data.findings)],
        "summary": summary_of(data),
        **dict(data.extra),
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
