"""JSON: ``{"findings": [...], "summary": {...}}`` plus the command's own results (DESIGN § 6).

orjson writes it: a report of thousands of findings is encoded several times faster than by the
standard library with indentation, and the text is the same shape (two-space indent, UTF-8).
"""

from __future__ import annotations

import orjson

from dbexpert.report.base import ReportData, ordered, summary_of
from dbexpert.report.plan_tree import is_ranked
from dbexpert.rules.registry import Registry


def render_json(data: ReportData, registry: Registry) -> str:
    document = {
        # Plan findings keep their ranking (the biggest share of the time first).
        "findings": [f.to_dict() for f in (data.findings if is_ranked(data) else ordered(data.findings))],
        "summary": summary_of(data),
        **dict(data.extra),
    }
    return (
        orjson.dumps(document, default=str, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
        + "\n"
    )
