"""SARIF 2.1.0 for code-scanning dashboards, carrying every rule's metadata and each finding's fix."""

from __future__ import annotations

import json
from typing import Any

from dbexpert import __version__
from dbexpert.model import Finding
from dbexpert.report.base import ReportData, ordered
from dbexpert.rules.registry import Registry, Rule

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(data: ReportData, registry: Registry) -> str:
    findings = ordered(data.findings)
    rules = list(registry)
    index = {rule.name: i for i, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "dbexpert",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "results": [_result(f, index) for f in findings],
        "invocations": [
            {
                "executionSuccessful": not data.problems,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": problem}} for problem in data.problems
                ],
            }
        ],
        "properties": {"command": data.command, "target": data.target},
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _descriptor(rule: Rule) -> dict[str, Any]:
    docs = rule.docs
    markdown = "\n\n".join(f"## {title}\n{body}" for title, body in docs.sections.items())
    descriptor: dict[str, Any] = {
        "id": rule.name,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.one_line},
        "fullDescription": {"text": docs.section("Why is this bad?").replace("\n", " ") or rule.one_line},
        "help": {"text": docs.section("Use instead") or rule.one_line, "markdown": markdown or rule.one_line},
        "defaultConfiguration": {"level": _LEVEL[rule.default_severity.value], "enabled": rule.enabled},
        "properties": {
            "category": rule.category.value,
            "tags": [rule.category.value, *sorted(e.value for e in rule.engines)],
            "engines": sorted(e.value for e in rule.engines),
            "docs": f"docs/rules/{rule.name}.md",
        },
    }
    if rule.aliases or rule.code:
        descriptor["deprecatedIds"] = [*rule.aliases, *([rule.code] if rule.code else [])]
    return descriptor


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    loc = finding.location
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _LEVEL[finding.severity.value],
        "message": {"text": finding.message},
        "properties": {
            "category": finding.category.value,
            "mode": finding.mode.value,
            "evidence": finding.to_dict()["evidence"],
        },
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    location: dict[str, Any] = {}
    if loc.path:
        physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path}}
        if loc.line:
            region: dict[str, Any] = {"startLine": loc.line}
            if loc.column:
                region["startColumn"] = loc.column
            if loc.end_line:
                region["endLine"] = loc.end_line
            physical["region"] = region
        location["physicalLocation"] = physical
    if loc.object:
        location["logicalLocations"] = [{"fullyQualifiedName": loc.object, "kind": "object"}]
    if location:
        result["locations"] = [location]
    if finding.fix is not None:
        result["properties"]["fix"] = finding.to_dict()["fix"]
        if finding.fix.edits:
            result["fixes"] = [
                {
                    "description": {"text": finding.fix.description},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": e.path},
                            "replacements": [
                                {
                                    "deletedRegion": {
                                        "startLine": e.line,
                                        "startColumn": e.column,
                                        "endLine": e.end_line,
                                        "endColumn": e.end_column,
                                    },
                                    "insertedContent": {"text": e.text},
                                }
                            ],
                        }
                        for e in finding.fix.edits
                    ],
                }
            ]
    return result
