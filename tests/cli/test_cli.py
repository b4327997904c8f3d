"""The command line end to end, as a user runs it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dbexpert.rules.registry import registry


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbexpert", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dbexpert: error: "), result.stderr
    return lines[0]


def test_rules_lists_every_rule():
    result = run("rules")
    assert result.returncode == 0
    for rule in registry():
        assert rule.name in result.stdout
    listed = json.loads(run("rules", "--format", "json").stdout)["rules"]
    assert {r["rule"] for r in listed} == {r.name for r in registry()}


def test_rule_prints_documentation_and_unknown_rule_is_an_input_error():
    result = run("rule", "table-without-primary-key")
    assert result.returncode == 0 and "## Why is this bad?" in result.stdout
    assert_one_line_error(run("rule", "no-such-rule"), 2)


def test_audit_of_ddl_files_reports_findings_and_exit_codes(tmp_path: Path):
    ddl = tmp_path / "schema.sql"
    ddl.write_text("CREATE TABLE log (msg text);\nCREATE TABLE ok (id bigint PRIMARY KEY);\n")
    clean = run("audit", str(ddl), "--select", "table-without-primary-key", "--fail-on", "error")
    assert clean.returncode == 0, clean.stderr
    assert "table-without-primary-key" in clean.stdout and "public.log" in clean.stdout
    failing = run("audit", str(ddl), "--select", "table-without-primary-key", "--fail-on", "warning")
    assert failing.returncode == 1
    out = tmp_path / "report.json"
    run("audit", str(ddl), "--select", "table-without-primary-key", "-f", "json", "-o", str(out))
    document = json.loads(out.read_text())
    [finding] = document["findings"]
    assert finding["location"]["path"] == str(ddl) and finding["location"]["line"] == 1
    assert document["summary"]["mode"] == "static"


def test_inline_suppression_and_config_file(tmp_path: Path):
    (tmp_path / "schema.sql").write_text(
        "-- dbexpert: ignore[table-without-primary-key]\nCREATE TABLE log (msg text);\nCREATE TABLE other (v int);\n"
    )
    result = run("audit", "schema.sql", "--select", "table-without-primary-key", "-f", "json", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert [f["location"]["object"] for f in document["findings"]] == ["public.other"]
    assert document["summary"]["suppressed"] == 1
    (tmp_path / "dbexpert.toml").write_text('ignore = ["table-without-primry-key"]\n')
    line = assert_one_line_error(run("audit", "schema.sql", cwd=tmp_path), 2)
    assert "dbexpert.toml" in line and "table-without-primry-key" in line


def test_unparsable_ddl_names_the_location_and_other_files_are_still_audited(tmp_path: Path):
    (tmp_path / "a_good.sql").write_text("CREATE TABLE log (msg text);\n")
    (tmp_path / "b_bad.sql").write_text(
        "CREATE TABLE ok (id int PRIMARY KEY);\nCREATE TABEL broken (x int);\n"
    )
    result = run("audit", str(tmp_path), "--select", "table-without-primary-key", "-f", "json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"dbexpert: error: {tmp_path / 'b_bad.sql'}:2:")
    document = json.loads(result.stdout)
    assert [f["location"]["object"] for f in document["findings"]] == ["public.log"]
    [problem] = document["summary"]["problems"]
    assert f"{tmp_path / 'b_bad.sql'}:2:" in problem


@pytest.mark.parametrize("target", ["postgresql://u:pw@:5432", "mysql://host:notaport/db", "nope://x"])
def test_malformed_url_exits_2(target: str):
    line = assert_one_line_error(run("audit", target), 2)
    assert "pw@" not in line


def test_unreachable_server_exits_3_without_leaking_the_password():
    line = assert_one_line_error(run("audit", "postgresql://app:hunter2@127.0.0.1:1/db"), 3)
    assert "hunter2" not in line
    line = assert_one_line_error(run("audit", "mysql://app:hunter2@127.0.0.1:1/db"), 3)
    assert "hunter2" not in line


def test_missing_file_is_an_input_error(tmp_path: Path):
    assert_one_line_error(run("audit", str(tmp_path / "nope.sql")), 2)


def test_unknown_rule_in_a_suppression_comment_is_reported(tmp_path: Path):
    (tmp_path / "schema.sql").write_text(
        "-- dbexpert: ignore[table-without-primery-key]\nCREATE TABLE log (msg text);\n"
    )
    result = run("audit", "schema.sql", "--select", "table-without-primary-key", "-f", "json", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert [f["rule"] for f in document["findings"]] == ["table-without-primary-key"]
    assert document["summary"]["problems"] == [
        "schema.sql:1: unknown rule 'table-without-primery-key' in a dbexpert: ignore comment"
    ]


def test_hostile_identifiers_survive_the_whole_pipeline(tmp_path: Path):
    """A live SQLite audit of tables named to break naive SQL: the fixes must still be valid SQL."""
    import sqlite3

    db = tmp_path / "hostile.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            """
            CREATE TABLE "a""; drop table x; --" (v TEXT, "select" REAL);
            CREATE TABLE "Ünïcödé ✓" (id INTEGER PRIMARY KEY, "order" TEXT);
            CREATE TABLE x (id INTEGER PRIMARY KEY);
            """
        )
    result = run("audit", str(db), "--select", "ALL", "-f", "json")
    assert result.returncode in (0, 1), result.stderr
    findings = json.loads(result.stdout)["findings"]
    hostile = [f for f in findings if f["rule"] == "table-without-primary-key"]
    assert [f["location"]["object"] for f in hostile] == ['main.a"; drop table x; --']
    # the fix runs on a copy of the database as written, and drops nothing it should not
    with sqlite3.connect(db) as conn:
        for finding in findings:
            sql = (finding["fix"] or {}).get("sql") or ""
            if sql.startswith(("CREATE INDEX", "ALTER TABLE")) and "\n" not in sql:
                conn.execute(sql)
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert {"x", 'a"; drop table x; --', "Ünïcödé ✓"} <= names
