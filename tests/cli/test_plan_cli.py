"""`dbexpert plan FILE|-`: findings at the plan's lines, common flags, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli.test_cli import assert_one_line_error, run
from tests.sources.plans.fixtures import FIXTURES, fixture_text


def test_text_plan_file_gives_findings_at_the_node_line():
    result = run("plan", str(FIXTURES / "nl_seq.txt"), "-f", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    located = {(f["rule"], f["location"]["line"]) for f in document["findings"]}
    assert located == {("nested-loop-large-outer", 3), ("seq-scan-large-filter", 7)}
    assert document["plan"]["analyzed"] and document["plan"]["nodes"] == 3
    assert document["summary"]["command"] == "plan"


def test_json_plan_from_stdin_and_fail_on():
    result = subprocess.run(
        [sys.executable, "-m", "dbexpert", "plan", "-", "--fail-on", "warning"],
        input=fixture_text("sort_disk.json"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "sort-spills-to-disk" in result.stdout and "<stdin>:4" in result.stdout


def test_select_ignore_and_clean_plans():
    assert run("plan", str(FIXTURES / "seq_indexed.txt"), "--fail-on", "info").returncode == 0
    ignored = run("plan", str(FIXTURES / "seq_text.txt"), "--ignore", "seq-scan-large-filter", "-f", "json")
    assert json.loads(ignored.stdout)["findings"] == []
    sarif = run("plan", str(FIXTURES / "seq_text.txt"), "-f", "sarif")
    assert sarif.returncode == 0 and "seq-scan-large-filter" in sarif.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "/nonexistent/plan.txt"), "no such file"),
        (("plan", str(FIXTURES / "seq_text.txt"), "--select", "no-such-rule"), "unknown rule"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str):
    assert message in assert_one_line_error(run(*args), 2)


def test_truncated_plan_is_one_line_error_with_position(tmp_path):
    path = tmp_path / "cut.txt"
    text = fixture_text("estimate_bad.txt")
    path.write_text(text[: text.index("(cost=", text.index("Nested Loop")) + 12])  # cut inside a node
    line = assert_one_line_error(run("plan", str(path)), 2)
    assert f"{path}:" in line and "truncated" in line
